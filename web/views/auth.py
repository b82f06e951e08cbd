"""Sign-up, log-in, log-out, password reset and change, the email address and its confirmation, the language
switch: Django's auth views, our templates."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import check_for_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import selectors as accounts
from accounts import services
from accounts.services import user_language_fill, user_password_change, user_register, user_update
from accounts.throttling import EmailChangeRateThrottle, EmailConfirmationRateThrottle
from core.errors import ApplicationError
from core.i18n import request_states_language
from web.forms import EmailChangeForm, LoginForm, PasswordChangeForm, SetPasswordForm, SignUpForm, error_summary


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        if request_states_language(self.request):  # no saved language yet: the one they browse in
            user_language_fill(user=form.get_user())
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm  # the new password also ends the account's API tokens
    success_url = reverse_lazy("web:password_reset_complete")


def _safe_next(request: HttpRequest) -> str:
    """The `next` page to come back to, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _invitation_token(next_url: str) -> str:
    """The invitation token when sign-up came from an invitation's link (its `next`), else ""."""
    try:
        match = resolve(urlsplit(next_url).path) if next_url else None
    except Resolver404:
        return ""
    if match is None or match.view_name != "web:invitation_accept":
        return ""
    return match.kwargs.get("token", "")


def signup(request: HttpRequest) -> HttpResponse:
    """`accounts.services.user_register`, the API's rules. A new address and one that already has an
    account end on the same "check your email" page, so the form tells no one who is registered."""
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    next_url = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            user_register(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in dict(settings.LANGUAGES) else "",
                invitation_token=_invitation_token(next_url),
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            done = reverse("web:signup_done")
            return redirect(f"{done}?{urlencode({'next': next_url})}" if next_url else done)
    summary = error_summary(form) if form.is_bound else []
    return render(request, "registration/signup.html", {"form": form, "next": next_url, "error_summary": summary})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_done.html", {"next": _safe_next(request)})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """A signed-in person changes their password: every other session and every API token ends."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            update_session_auth_hash(request, user)  # this session stays; the others end
            messages.success(request, _("Your password was changed. Your API tokens were revoked."))
            return redirect("web:home")
    return render(request, "registration/password_change.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), and remember the choice on the signed-in user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and check_for_language(language)
        and isinstance(response, HttpResponseRedirect)
        and request.user.language != language
    ):
        user_update(user=request.user, language=language)
    return response


def _too_often(throttle) -> str:
    """The confirmation-link limit's refusal, with the wait in whole minutes (one limit, one sentence)."""
    minutes = max(1, round((throttle.wait() or 60) / 60))
    return ngettext(
        "You asked for new links too often: try again in %(minutes)s minute.",
        "You asked for new links too often: try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """The person's address, whether it is confirmed, a change waiting for its link, and a form to change it."""
    form = EmailChangeForm(request.POST or None)
    throttle = EmailChangeRateThrottle()
    if (
        request.method == "POST"
        and form.is_valid()
        and accounts.email_change_sends_link(user=request.user, email=form.cleaned_data["email"])
        and not throttle.allow_request(request, None)
    ):
        form.add_error("email", _too_often(throttle))
    if request.method == "POST" and form.is_valid():
        try:
            user = user_update(
                user=request.user,
                email=form.cleaned_data["email"],
                current_password=form.cleaned_data["current_password"],
                request=request,
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            next_step = accounts.email_change_next_step(user=user)
            messages.success(request, next_step or _("The change of address was cancelled."))
            return redirect("web:email_settings")
    summary = error_summary(form) if form.is_bound else []
    status = 400 if form.is_bound else 200
    return render(request, "registration/email.html", {"form": form, "error_summary": summary}, status=status)


@login_required
@require_POST
def email_confirmation_resend(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again (to the pending address, else the current one), as often as the
    API allows (one limit for both), then back to `next` (the invitation page) or the email page."""
    back = _safe_next(request) or reverse("web:email_settings")
    throttle = EmailConfirmationRateThrottle()
    if not throttle.allow_request(request, None):
        messages.error(request, _too_often(throttle))
        return redirect(back)
    try:
        address = services.email_confirmation_send(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("We have sent a new confirmation link to %(email)s.") % {"email": address})
    return redirect(back)


def email_change_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed to the current address when a change was asked for, signed in or not: the page
    names the change and a button stops it (a GET changes nothing: mail scanners open links)."""
    context: dict = {"token": token}
    try:
        user = services.email_change_cancel_read(token=token)
        context |= {"account": user.get_username(), "new": user.pending_email}
        if request.method == "POST":
            services.email_change_cancel(token=token)
            context["stopped"] = True
    except ApplicationError as error:
        context["error"] = error.message
        return render(request, "registration/email_change_cancel.html", context, status=error.status)
    return render(request, "registration/email_change_cancel.html", context)


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link, signed in or not (the token names the account and the address): the page says
    which address and account, a button confirms; a bad link says what is wrong and how to get another."""
    context: dict = {"token": token}
    try:
        user, address = services.email_confirmation_read(token=token)
        if request.method == "POST":
            user = services.email_confirm(token=token)
            context["confirmed"] = True
    except ApplicationError as error:
        context["error"], context["error_code"] = error.message, error.code
        return render(request, "registration/email_confirm.html", context, status=error.status)
    context |= {"address": user.email if context.get("confirmed") else address, "account": user.get_username()}
    return render(request, "registration/email_confirm.html", context)
