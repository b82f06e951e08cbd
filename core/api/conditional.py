"""ETag, If-None-Match (304) and If-Match (412) on the reads and edits of firms and proposals.

The ETag is a hash of the representation the caller receives (who you are shapes it: contacts,
reviewer-only keys), so a 304 is never stale for that caller. An edit (PUT/PATCH) with `If-Match`
first reads the current representation as the same caller and answers 412 if it differs: someone
else changed the object since the caller read it.

The firm's sub-resources (a capability, platform or beneficial owner added or removed) check
`If-Match` themselves, inside the service's transaction once the firm's row is locked
(`if_match_check`), against the firm as GET /firms/{id}/ would show it to the caller at that moment:
nobody can change the firm between the comparison and the edit. `if_match_mismatch` is the one rule
both use; `PreconditionFailed` the one answer.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

from core.api.errors import error_body
from core.api.params import route_template
from core.errors import ApplicationError

CONDITIONAL_PATHS = frozenset({"/api/v1/firms/{id}/", "/api/v1/proposals/{id}/"})
EDITS = ("PUT", "PATCH")
# Edits of a firm's parts that check `If-Match` against the firm's ETag themselves (`if_match_check`);
# the OpenAPI schema documents the header and the 412 on their writes (core/api/openapi.py).
SUBRESOURCE_PRECONDITION_PATHS = frozenset(
    {
        "/api/v1/firms/{id}/capabilities/",
        "/api/v1/firms/{id}/capabilities/{kind}/{capability}/",
        "/api/v1/firms/{id}/platforms/",
        "/api/v1/firms/{id}/platforms/{platform}/{role}/",
        "/api/v1/firms/{firm_id}/owners/",
        "/api/v1/firms/{firm_id}/owners/{owner_id}/",
    }
)
SUBRESOURCE_EDITS = ("POST", "PUT", "DELETE")


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:40] + '"'


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def if_match_mismatch(header: str | None, current: Callable[[], bytes | None]) -> str | None:
    """The If-Match rule: the current ETag when `header` is given and names neither it nor `*` (a 412),
    else None. `current` gives the representation the caller would read now (None: nothing to compare);
    it is called only when there is a tag to compare with."""
    if header is None:
        return None
    wanted = _tags(header)
    if "*" in wanted:
        return None
    content = current()
    if content is None:
        return None
    tag = etag_of(content)
    return None if tag in wanted else tag


class PreconditionFailed(ApplicationError):
    """412: the object changed since the caller read it. The answer carries the current `ETag`."""

    def __init__(self, *, current_etag: str):
        super().__init__(
            gettext("Changed since you read it (If-Match does not match its ETag): read it again and retry."),
            code="precondition_failed",
            status=412,
            extra={"current_etag": current_etag},
        )
        self.headers = {"ETag": current_etag}


def precondition_failed_response(current_etag: str) -> JsonResponse:
    error = PreconditionFailed(current_etag=current_etag)
    body = error_body(error.code, error.message, error.fields, **error.extra)
    return JsonResponse(body, status=error.status, headers=error.headers)


def if_match_check(request, *, current: Callable[[], bytes]) -> Callable[[], None] | None:
    """For an edit that checks `If-Match` itself: the check to run once the object's row is locked (so
    nobody changes it between the comparison and the edit), raising PreconditionFailed on a mismatch.
    None when the request has no `If-Match`."""
    header = request.headers.get("If-Match")
    if header is None:
        return None

    def check() -> None:
        tag = if_match_mismatch(header, current)
        if tag is not None:
            raise PreconditionFailed(current_etag=tag)

    return check


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

        def current() -> bytes | None:
            read = copy.copy(request)
            read.method = "GET"
            response = view_func(read, *view_args, **view_kwargs)
            if hasattr(response, "render"):
                response.render()
            return response.content if response.status_code == 200 else None  # else the edit answers (404, 403)

        tag = if_match_mismatch(request.headers["If-Match"], current)
        return None if tag is None else precondition_failed_response(tag)
