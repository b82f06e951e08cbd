"""What a locked-out client gets from django-axes: the one JSON error shape for the API, a page otherwise."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def lockout_response(request, credentials=None, *args, **kwargs):
    message = _("Too many failed log-in attempts. Try again later.")
    if request.path.startswith("/api/"):
        body = {"error": {"code": "locked_out", "message": message, "fields": {}}}
        return JsonResponse(body, status=429, headers={"Retry-After": "900"})
    return HttpResponse(message, status=429, headers={"Retry-After": "900"})
