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
