"""Project-wide HTTP rules that no single view owns."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import is_valid_path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext

from core.api.errors import error_body


class ApiTrailingSlashMiddleware:
    """`/api/v1/firms` (no slash) answers the API's JSON 404 saying which path to use, for every method.

    Without it CommonMiddleware's APPEND_SLASH answers a 301 (which clients follow as a GET,
    dropping a POST's body) or, in DEBUG, a 500 page for a POST. Placed before CommonMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/") and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                message = gettext("Not found. API paths end with a slash: use %(path)s") % {"path": f"{request.path}/"}
                return JsonResponse(error_body("not_found", message), status=404)
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` on every API answer and every page shown to a signed-in person.

    They carry contacts, tokens, review notes and screening results, which no browser history,
    disk cache or shared proxy may keep. Runs after AuthenticationMiddleware; a Bearer-token
    request's user is known once DRF has authenticated it, which is before the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
