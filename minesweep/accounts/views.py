"""Staff sign-in with password and TOTP second factor; repeated failures slow down further attempts
(minesweep.accounts.signin_limits) without locking the account for everyone."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from minesweep.accounts.forms import LoginForm
from minesweep.accounts.signin_limits import signin_failed, signin_succeeded, signin_wait
from minesweep.audit.services import audit_record
from minesweep.core.i18n import pick


def _verified_device(user: auth.models.AbstractBaseUser, token: str) -> TOTPDevice | None:
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if token and device.verify_token(token):
            return device
    return None


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    wait = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fingerprint = str(getattr(request, "client_fingerprint", ""))
        wait = signin_wait(data["username"], fingerprint)
        user = (
            None if wait else auth.authenticate(request, username=data["username"], password=data["password"])
        )
        device = None
        if wait:
            status = 429
            error = pick(
                f"尝试次数过多，请 {wait} 秒后再试（或请管理员解除限制）",
                f"Too many attempts; try again in {wait} s (or ask an administrator to unlock the account)",
            )
        elif user is None:
            error = pick("用户名或密码错误", "Wrong user name or password")
        elif settings.REQUIRE_TOTP and (device := _verified_device(user, data["otp_token"].strip())) is None:
            error = pick("动态验证码错误", "Wrong one-time code")
        else:
            signin_succeeded(data["username"], fingerprint)
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if settings.REQUIRE_TOTP:
                otp_login(request, device)
            audit_record(actor=user, action="accounts.login", target=user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target or settings.LOGIN_REDIRECT_URL)
        if not wait:
            signin_failed(data["username"], fingerprint)
    response = render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "totp_required": settings.REQUIRE_TOTP},
        status=status,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="accounts.logout", target=request.user)
    auth.logout(request)
    return redirect("accounts:login")
