"""A partner's integration engineer drives the live service through the generated Python client.

The client is generated from /api/schema/ with `openapi-python-client` (its own virtualenv, made by
`make test`; see tests/integrations/test_generated_client.py) and run by that virtualenv's Python
against pytest-django's live server: a token from username and password, the firm's proposal list
without contacts, an acceptance with an idempotency key, the contact once both firms accepted, and a
typed error for a proposal that is not there.
"""

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from review.services import workflow as review
from tests.factories import ProposalFactory
from tests.integrations.test_generated_client import _generator

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = """
import json, sys
sys.path.insert(0, sys.argv[1])
from client import AuthenticatedClient, Client
from client.api.auth import v1_auth_token_create
from client.api.proposals import v1_proposals_accept_create, v1_proposals_list
from client.models import TokenCreateRequest

base, password = sys.argv[2], sys.argv[3]
token = v1_auth_token_create.sync(client=Client(base_url=base), body=TokenCreateRequest(username="bob", password=password))
api = AuthenticatedClient(base_url=base, token=token.token)
page = v1_proposals_list.sync(client=api)
pid = page.results[0].id
accepted = v1_proposals_accept_create.sync(pid, client=api, idempotency_key="accept-1")
again = v1_proposals_accept_create.sync(pid, client=api, idempotency_key="accept-1")
print(json.dumps({
    "token_type": type(token).__name__, "token": token.token,
    "listed": [[p.id, p.status.value, p.ukrainian.contact is None] for p in page.results],
    "after_accept": accepted.status.value, "repeated": again.status.value,
}))
"""

SECOND = """
import json, sys
sys.path.insert(0, sys.argv[1])
from client import AuthenticatedClient
from client.api.proposals import v1_proposals_retrieve

api = AuthenticatedClient(base_url=sys.argv[2], token=sys.argv[3])
final = v1_proposals_retrieve.sync(int(sys.argv[4]), client=api)
missing = v1_proposals_retrieve.sync_detailed(999999, client=api)
print(json.dumps({
    "final": final.status.value,
    "contact": final.ukrainian.contact.email if final.ukrainian.contact else None,
    "missing": [missing.status_code.value, type(missing.parsed).__name__, missing.parsed.error.code],
}))
"""


def _generate(executable: str, tmp_path: Path) -> Path:
    spec = tmp_path / "schema.yaml"
    spec.write_bytes(OpenApiYamlRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"post_hooks": []}))
    subprocess.run(
        [executable, "generate", "--path", str(spec), "--output-path", str(tmp_path / "gen" / "client"),
         "--meta", "none", "--config", str(config)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return tmp_path / "gen"


def _run(python: Path, tmp_path: Path, script: str, *args: str) -> dict:
    path = tmp_path / "driver.py"
    path.write_text(script)
    result = subprocess.run([str(python), str(path), *args], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_partner_system_accepts_a_proposal_and_reads_the_contact_through_the_generated_client(
    live_server, tmp_path, firm_a, firm_b, alice, bob, rita
):
    executable = _generator()
    if executable is None:
        pytest.skip("openapi-python-client is not installed (make test installs it in .venv-opc)")
    python = Path(executable).parent / "python"
    package = _generate(executable, tmp_path)
    proposal = review.proposal_approve(proposal=ProposalFactory(ukrainian=firm_a, partner=firm_b), reviewer=rita)

    first = _run(python, tmp_path, FIRST, str(package), live_server.url, "correct-horse-battery")
    review.proposal_accept(proposal=proposal, user=alice)  # the Ukrainian firm accepts in the web
    second = _run(python, tmp_path, SECOND, str(package), live_server.url, first["token"], str(proposal.pk))

    assert first["token_type"] == "TokenCreated"
    assert first["listed"] == [[proposal.pk, "approved", True]]  # no contact before both accept
    assert first["after_accept"] == first["repeated"] == "approved"  # the Ukrainian firm has not yet
    assert second["final"] == "connected"
    assert second["contact"] == firm_a.contact_email
    assert second["missing"] == [404, "Error", "not_found"]
