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
