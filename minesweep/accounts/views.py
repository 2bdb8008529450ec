"""Staff sign-in with password and TOTP second factor; repeated failures lock the account (django-axes)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from minesweep.accounts.forms import LoginForm
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = auth.authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            error = pick(
                "用户名或密码错误，或账户已被暂时锁定",
                "Wrong user name or password, or the account is locked",
            )
        elif settings.REQUIRE_TOTP and (device := _verified_device(user, data["otp_token"].strip())) is None:
            user_login_failed.send(
                sender=__name__, credentials={"username": data["username"]}, request=request
            )
            error = pick("动态验证码错误", "Wrong one-time code")
        else:
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if settings.REQUIRE_TOTP:
                otp_login(request, device)
            audit_record(actor=user, action="accounts.login", target=user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target or settings.LOGIN_REDIRECT_URL)
    return render(
        request, "accounts/login.html", {"form": form, "error": error, "totp_required": settings.REQUIRE_TOTP}
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="accounts.logout", target=request.user)
    auth.logout(request)
    return redirect("accounts:login")
