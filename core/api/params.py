"""Unknown query parameters answer 400, naming them: a typo (`?staus=approved`) must not return everything.

What an operation takes is what the OpenAPI schema documents for it (filters, paging, ordering,
`updated_since`, ...), read once per process from drf-spectacular's generator, so the rule and the
documentation cannot drift apart. Runs as view middleware, before authentication: the schema is
public, so the answer leaks nothing.
"""

from __future__ import annotations

import re
import threading

from django.http import JsonResponse
from django.utils.translation import gettext

_lock = threading.Lock()
_parameters: dict[tuple[str, str], frozenset[str]] | None = None
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")  # path("firms/<int:firm_id>/")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")  # a router's re_path("^firms/(?P<pk>[^/.]+)/$")


def documented_query_parameters() -> dict[tuple[str, str], frozenset[str]]:
    """(path template, METHOD) -> the query parameters the schema documents for that operation."""
    global _parameters
    with _lock:
        if _parameters is None:
            from drf_spectacular.generators import SchemaGenerator

            schema = SchemaGenerator().get_schema(request=None, public=True)
            found = {}
            for path, item in schema["paths"].items():
                for method, operation in item.items():
                    if isinstance(operation, dict) and "responses" in operation:
                        names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
                        found[(path, method.upper())] = frozenset(names)
            _parameters = found
    return _parameters


def route_template(route: str) -> str:
    """The schema's path of a URL pattern's route (drf-spectacular names a router's `pk` `id`)."""
    template = _CONVERTER.sub(r"{\1}", _GROUP.sub(r"{\1}", route)).replace("^", "").replace("$", "")
    return "/" + template.replace("{pk}", "{id}")


class UnknownQueryParametersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.GET or not request.path.startswith("/api/v1/") or request.resolver_match is None:
            return None
        method = "GET" if request.method == "HEAD" else request.method
        allowed = documented_query_parameters().get((route_template(request.resolver_match.route), method))
        if allowed is None:
            return None  # not an operation of the schema (a 405 follows)
        unknown = sorted(set(request.GET) - allowed)
        if not unknown:
            return None
        takes = ", ".join(sorted(allowed)) or gettext("no query parameters")
        rule = gettext("Unknown query parameter; this operation takes: %(takes)s.") % {"takes": takes}
        message = gettext("Unknown query parameters: %(names)s.") % {"names": ", ".join(unknown)}
        body = {"error": {"code": "unknown_parameter", "message": message, "fields": dict.fromkeys(unknown, [rule])}}
        return JsonResponse(body, status=400)
