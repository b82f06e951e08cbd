"""One JSON error shape for every 4xx: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into {"field.sub[0]": ["message", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors" and not prefix:
                name = "non_field_errors"
            out.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in detail)
        else:
            for i, value in enumerate(detail):
                if value:
                    out.update(_flatten(value, f"{prefix}[{i}]"))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = error_body(exc.code, exc.message, exc.fields, **exc.extra)
        return Response(body, status=exc.status, headers=getattr(exc, "headers", None))  # e.g. a 412's ETag
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        summary = "; ".join(f"{k}: {v[0]}" for k, v in list(fields.items())[:3])
        response.data = error_body("invalid", gettext("Invalid input. %(problems)s") % {"problems": summary}, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        response.data = error_body(code, str(detail))
        if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
            response.data["error"]["retry_after"] = int(exc.wait)
    return response


def not_found(request, exception=None):
    """handler404: under /api/ a URL that no view matches (e.g. `/api/v1/firms/0.5/`) answers the
    one JSON error shape too, not Django's HTML page; elsewhere the normal 404 page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", gettext("Not found.")), status=404)
    return page_not_found(request, exception)


def too_large_body(exception) -> dict | None:
    """The JSON error of a body or query Django refused for its size (None for other exceptions):
    413 `request_too_large` over DATA_UPLOAD_MAX_MEMORY_SIZE, 400 `too_many_fields` over
    DATA_UPLOAD_MAX_NUMBER_FIELDS, each naming its limit."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        message = gettext("The request body is larger than the limit of %(limit)s bytes; send less data.")
        return error_body("request_too_large", message % {"limit": limit})
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message = gettext("The request has more than %(limit)s parameters or form fields; send fewer.")
        return error_body("too_many_fields", message % {"limit": limit})
    return None


def bad_request(request, exception=None):
    """handler400 (Django's answer to a SuspiciousOperation, e.g. a body over the upload limit): under
    /api/ the one JSON error shape (413 for a body too large), elsewhere the site's 400 page."""
    from django.http import JsonResponse
    from django.views.defaults import bad_request as page_bad_request

    if not request.path.startswith("/api/"):
        return page_bad_request(request, exception)
    body = too_large_body(exception)
    if body is not None:
        status_code = 413 if body["error"]["code"] == "request_too_large" else 400
        return JsonResponse(body, status=status_code)
    return JsonResponse(error_body("bad_request", gettext("The request was refused as malformed.")), status=400)


def server_error(request):
    """handler500: under /api/ the one JSON error shape, elsewhere the site's 500 page (500.html)."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as page_server_error

    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", gettext("A server error occurred.")), status=500)
    return page_server_error(request)
