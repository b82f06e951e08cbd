"""Activate the signed-in user's saved language; otherwise LocaleMiddleware's choice stands."""

from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if lang and "django_language" not in request.COOKIES:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)


class StaffTwoFactorMiddleware:
    """Ministry staff who must use a second factor (accounts.two_factor.two_factor_required) and have not
    given one in this session reach only the two-factor pages, logging out and the language switch:
    a page sends them to the code page (or to enrolment), an API call with the session answers 403."""

    EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/language/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.two_factor import two_factor_required

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and two_factor_required(user=user)
            and not user.is_verified()
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request):
        from django.conf import settings
        from django.http import JsonResponse
        from django.shortcuts import redirect
        from django.utils.http import urlencode
        from django.utils.translation import gettext

        from core.api.errors import error_body

        if request.path.startswith("/api/"):
            message = gettext("Give your two-factor code on the web first: %(url)s") % {"url": settings.OTP_LOGIN_URL}
            return JsonResponse(error_body("otp_required", message), status=403)
        return redirect(f"{settings.OTP_LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
