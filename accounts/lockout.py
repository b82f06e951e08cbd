"""What a locked-out client gets from django-axes: the one JSON error shape for the API (with
`retry_after`, as a throttled request has), a page in the site's layout and language otherwise."""

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _cool_off_seconds() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds()))


def lockout_response(request, credentials=None, *args, **kwargs):
    seconds = _cool_off_seconds()
    message = _("Too many failed log-in attempts. Try again later.")
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith("/api/"):
        body = {"error": {"code": "locked_out", "message": message, "fields": {}, "retry_after": seconds}}
        return JsonResponse(body, status=429, headers=headers)
    context = {"message": message, "minutes": math.ceil(seconds / 60)}
    response = render(request, "web/auth/locked_out.html", context, status=429)
    response["Retry-After"] = headers["Retry-After"]
    return response
