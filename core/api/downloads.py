"""Spreadsheet downloads of the API (`core.exports`): the `file` parameter and the documented responses."""

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotAcceptable
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.utils.mediatypes import media_type_matches

from core.api.strict import StrictFieldsMixin
from core.exports import CSV_TYPE, FILE_TYPES, XLSX_TYPE


class ExportInput(StrictFieldsMixin, serializers.Serializer):
    file = serializers.ChoiceField(
        choices=list(FILE_TYPES),
        help_text="csv or xlsx",
        error_messages={"required": gettext_lazy("This parameter is required: file=csv or file=xlsx.")},
    )


def export_file(request: Request) -> str:
    """The `file` query parameter of a download: csv or xlsx (a 400 naming it otherwise). An `Accept`
    that asks for the other of the two types is a 406 (`*/*` and `application/json` take either)."""
    given = {"file": request.query_params["file"]} if "file" in request.query_params else {}
    body = ExportInput(data=given)
    body.is_valid(raise_exception=True)
    file = body.validated_data["file"]
    wanted = getattr(getattr(request, "accepted_renderer", None), "format", None)
    media_type = XLSX_TYPE if file == "xlsx" else CSV_TYPE.split(";")[0]
    if wanted in FILE_TYPES and wanted != file:  # negotiation chose the other type: does Accept admit this one?
        accepted = [part.strip() for part in request.META.get("HTTP_ACCEPT", "").split(",") if part.strip()]
        if not any(media_type_matches(media_type, part) for part in accepted):
            message = gettext("Accept asks for %(accepted)s, but file=%(file)s gives %(media_type)s.")
            raise NotAcceptable(
                message % {"accepted": request.accepted_media_type, "file": file, "media_type": media_type}
            )
    return file


class _SpreadsheetRenderer(BaseRenderer):
    """Lets content negotiation accept a download's own media type. The file itself is an HttpResponse
    (core.exports.attachment) and errors are rendered with the JSON renderer (SpreadsheetDownloadMixin);
    should anything else reach this one, it writes JSON too, never a broken spreadsheet."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, renderer_context=renderer_context)


class CSVRenderer(_SpreadsheetRenderer):
    media_type = CSV_TYPE.split(";")[0]
    format = "csv"


class XLSXRenderer(_SpreadsheetRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None


class SpreadsheetDownloadMixin:
    """A download view: `Accept: text/csv` or the XLSX media type is accepted (it was a 406) as well as
    `application/json` and `*/*`; an error is the one JSON error shape whatever was asked for."""

    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    def get_renderers(self):
        if getattr(self, "swagger_fake_view", False):  # the schema: errors are JSON, files documented apart
            return [JSONRenderer()]
        return super().get_renderers()  # type: ignore[misc]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)  # type: ignore[misc]
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"  # type: ignore[attr-defined]
        return response


FILE_PARAMETER = OpenApiParameter("file", str, enum=list(FILE_TYPES), required=True, description="csv or xlsx")
EXPORT_RESPONSES = {
    (200, CSV_TYPE.split(";")[0]): OpenApiTypes.BINARY,
    (200, XLSX_TYPE): OpenApiTypes.BINARY,
}
