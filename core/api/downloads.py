"""Spreadsheet downloads of the API (`core.exports`): the `file` parameter and the documented responses."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from core.api.strict import StrictFieldsMixin
from core.exports import CSV_TYPE, FILE_TYPES, XLSX_TYPE


class ExportInput(StrictFieldsMixin, serializers.Serializer):
    file = serializers.ChoiceField(choices=list(FILE_TYPES), help_text="csv or xlsx")


def export_file(request: Request) -> str:
    """The `file` query parameter of a download: csv or xlsx (a 400 naming it otherwise)."""
    body = ExportInput(data={"file": request.query_params.get("file", "")})
    body.is_valid(raise_exception=True)
    return body.validated_data["file"]


FILE_PARAMETER = OpenApiParameter("file", str, enum=list(FILE_TYPES), required=True, description="csv or xlsx")
EXPORT_RESPONSES = {
    (200, CSV_TYPE.split(";")[0]): OpenApiTypes.BINARY,
    (200, XLSX_TYPE): OpenApiTypes.BINARY,
}
