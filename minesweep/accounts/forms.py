from __future__ import annotations

from django import forms

from minesweep.core.i18n import bi


class LoginForm(forms.Form):
    username = forms.CharField(label=bi("用户名", "User name"), max_length=150)
    password = forms.CharField(label=bi("密码", "Password"), widget=forms.PasswordInput)
    otp_token = forms.CharField(
        label=bi("动态验证码（TOTP）", "One-time code (TOTP)"),
        max_length=8,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
