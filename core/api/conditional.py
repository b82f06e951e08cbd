"""ETag, If-None-Match (304) and If-Match (412) on the reads and edits of firms and proposals.

The ETag is a hash of the representation the caller receives (who you are shapes it: contacts,
reviewer-only keys), so a 304 is never stale for that caller. An edit (PUT/PATCH) with `If-Match`
first reads the current representation as the same caller and answers 412 if it differs: someone
else changed the object since the caller read it.
"""

from __future__ import annotations

import copy
import hashlib

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

from core.api.params import route_template

CONDITIONAL_PATHS = frozenset({"/api/v1/firms/{id}/", "/api/v1/proposals/{id}/"})
EDITS = ("PUT", "PATCH")


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _path(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None or not request.path.startswith("/api/v1/"):
        return None
    template = route_template(match.route)
    return template if template in CONDITIONAL_PATHS else None


class ConditionalRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", *EDITS) or response.status_code != 200 or _path(request) is None:
            return response
        if getattr(response, "streaming", False):
            return response
        tag = etag_of(response.content)
        response["ETag"] = tag
        if request.method in ("GET", "HEAD"):
            wanted = _tags(request.headers.get("If-None-Match", ""))
            if tag in wanted or "*" in wanted:
                not_modified = HttpResponse(status=304)
                not_modified["ETag"] = tag
                for header in ("Cache-Control", "Vary"):
                    if header in response:
                        not_modified[header] = response[header]
                return not_modified
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in EDITS or "If-Match" not in request.headers or _path(request) is None:
            return None
        wanted = _tags(request.headers["If-Match"])
        if "*" in wanted:
            return None
        read = copy.copy(request)
        read.method = "GET"
        current = view_func(read, *view_args, **view_kwargs)
        if hasattr(current, "render"):
            current.render()
        if current.status_code != 200:
            return None  # the edit itself answers (404, 403)
        tag = etag_of(current.content)
        if tag in wanted:
            return None
        message = gettext("Changed since you read it (If-Match does not match its ETag): read it again and retry.")
        body = {"error": {"code": "precondition_failed", "message": message, "fields": {}, "current_etag": tag}}
        response = JsonResponse(body, status=412)
        response["ETag"] = tag
        return response
