"""Two-factor log-in pages for ministry staff: enrol an authenticator app (QR code), then give a code
after the password. accounts.two_factor holds the rules; accounts.middleware sends staff here."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from accounts import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The 6 digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/review/" if request.user.can_review else "/"


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol (or replace) the authenticator: scan the QR code, confirm with a first code, keep the recovery codes."""
    if two_factor.two_factor_enrolled(user=request.user) and not request.user.is_verified():
        # Replacing an authenticator needs the current second factor first.
        return redirect(f"{reverse('web:two_factor_verify')}?{urlencode({'next': request.path})}")
    device = two_factor.totp_device_for_enrolment(user=request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_enrol_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "web/two_factor/recovery_codes.html", context)
        form.add_error("code", _("This code is not right. Check your device's clock and try the newest code."))
    if request.method == "POST":
        status = 400
    context = {
        "form": form,
        # Our own SVG, made of paths from the qrcode package: no user text in it.
        "qr_svg": mark_safe(two_factor.totp_qr_svg(device=device)),  # noqa: S308
        "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        "next": _next(request),
        "enrolled": two_factor.two_factor_enrolled(user=request.user),
    }
    return render(request, "web/two_factor/setup.html", context, status=status)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the authenticator app, or a recovery code."""
    if not two_factor.two_factor_enrolled(user=request.user):
        return redirect(f"{reverse('web:two_factor_setup')}?{urlencode({'next': _next(request)})}")
    if request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            device = two_factor.two_factor_verify(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(_next(request))
            form.add_error(
                "code", _("This code is not right, or too many tries: wait a little and try the newest code.")
            )
    return render(request, "web/two_factor/verify.html", {"form": form, "next": _next(request)}, status=status)
