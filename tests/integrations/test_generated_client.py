"""`openapi-python-client` generates every operation of /api/schema/ with zero warnings.

The generator lives in its own virtualenv (it pins its own ruff, pydantic and typer, which the
service must not inherit): OPENAPI_PYTHON_CLIENT names its executable, else
/tmp/opc-venv/bin/openapi-python-client or one on PATH. Make one with
`python3 -m venv /tmp/opc-venv && /tmp/opc-venv/bin/pip install openapi-python-client==0.29.1`.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

CANDIDATES = [os.environ.get("OPENAPI_PYTHON_CLIENT", ""), "/tmp/opc-venv/bin/openapi-python-client"]  # noqa: S108 - a venv path, not a temp file


def _generator() -> str | None:
    for candidate in CANDIDATES:
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("openapi-python-client")


def test_the_generated_python_client_has_every_operation_and_no_warning(tmp_path):
    executable = _generator()
    if executable is None:
        pytest.skip("openapi-python-client is not installed (see this module's docstring for the one command)")
    schema = SchemaGenerator().get_schema(request=None, public=True)
    spec = tmp_path / "schema.yaml"
    spec.write_bytes(OpenApiYamlRenderer().render(schema))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"post_hooks": []}))
    result = subprocess.run(
        [executable, "generate", "--path", str(spec), "--output-path", str(tmp_path / "client"), "--meta", "none",
         "--config", str(config)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output and "will not be generated" not in output, output
    generated = {p.stem for p in (tmp_path / "client" / "api").rglob("*.py") if p.stem != "__init__"}
    operations = sum(
        1 for item in schema["paths"].values() for method in item if method in ("get", "post", "put", "patch", "delete")
    )
    assert len(generated) == operations


# Answers that always carry every field: each is `required` in the response component (so a generated client
# types it as always there, not `Unset`), nullable where the answer may hold null.
ALWAYS_COMPLETE = [
    "Notification", "Event",  # review API: notifications, a proposal's events
    "AllianceEvent", "Participant", "Participation", "MeetingRequest", "Meeting", "AgendaRow", "ScheduleRun",
    "EventStats", "Suggestion", "Suggestions", "FirmBrief",  # events API
    "ScreeningFirmList", "ScreeningFirmDetail", "Screening", "ScreeningMatch", "ScreeningDecision", "SanctionsList",
    "OwnershipBlock", "OwnersOutput", "Owner",  # compliance API
    "WebhookEndpoint", "WebhookEndpointWithSecret", "WebhookDelivery", "WebhookAttempt",  # webhooks API
]  # fmt: skip
NULLABLE = {
    "Notification": {"proposal", "read_at", "emailed_at"},
    "Event": {"actor", "firm"},
    "AgendaRow": {"start", "end"},  # a meeting whose slot is no longer in the event's days and blocks
    "Screening": {"list"},
    "ScreeningFirmDetail": {"screening"},
    "ScreeningFirmList": {"latest_screening_at"},
    "WebhookDelivery": {"next_attempt_at", "last_response_code", "delivered_at"},
}


def _nullable(prop: dict) -> bool:
    return bool(prop.get("nullable"))


@pytest.fixture(scope="module")
def components():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.mark.parametrize("name", ALWAYS_COMPLETE)
def test_an_answer_that_always_carries_every_field_marks_each_required(components, name):
    component = components[name]
    assert list(component["properties"]), name
    assert sorted(component.get("required", [])) == sorted(component["properties"]), name
    nullable = {field for field, prop in component["properties"].items() if _nullable(prop)}
    assert NULLABLE.get(name, set()) <= nullable, (name, nullable)


def test_request_shapes_keep_their_optional_fields(components):
    """Only answers change: a request may still leave out what it could leave out before."""
    assert "description" not in components["WebhookEndpointCreateRequest"].get("required", [])
    assert "screening_status" not in components["Firm"].get("required", [])  # reviewers only
