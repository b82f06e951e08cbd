"""Backups are tested by restoring them: ops/backup.sh dumps a database with firms, proposals and
history; ops/restore.sh restores it into a fresh database; every table's row count and the
`export_firms` / `export_proposals` documents of the two databases are identical."""

import subprocess
import uuid

import pytest
from django.apps import apps
from django.db import connection

from tests.celery_worker import worker_database_url
from tests.factories import FirmCapabilityFactory, FirmFactory, MembershipFactory, ProposalFactory, UserFactory
from tests.faults.processes import ROOT, app_env, manage

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _counts(database_url: str) -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models()})
    sql = " union all ".join(f"select '{t}', count(*) from \"{t}\"" for t in tables)
    out = subprocess.run(["psql", database_url, "-tAc", sql], capture_output=True, text=True, check=True).stdout
    return {line.split("|")[0]: int(line.split("|")[1]) for line in out.split()}


def _export(command: str, database_url: str, tmp_path, name: str) -> str:
    path = tmp_path / name
    result = manage(command, str(path), env=app_env(DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr
    return path.read_text()


@pytest.fixture
def restored_url():
    source = worker_database_url()
    name = f"alliance_restore_{uuid.uuid4().hex[:8]}"
    url = f"{source.rsplit('/', 1)[0]}/{name}"
    yield url
    subprocess.run(
        ["dropdb", f"--maintenance-db={source.rsplit('/', 1)[0]}/postgres", "--if-exists", name], check=False
    )


def test_a_backup_restores_into_a_fresh_database_with_everything_in_it(tmp_path, restored_url):
    for i in range(12):
        ua = FirmFactory(ref=f"ua-firm-{i}", name=f"Kharkiv Optics {i} LLC")
        partner = FirmFactory(ref=f"de-firm-{i}", name=f"Bavaria Sensors {i} GmbH", partner=True)
        FirmCapabilityFactory(firm=ua, kind="seek")
        FirmCapabilityFactory(firm=partner, kind="offer")
        ProposalFactory(ukrainian=ua, partner=partner, score=0.5 + i / 100)
        MembershipFactory(user=UserFactory(username=f"member{i}"), firm=ua)
    source = worker_database_url()
    dump = tmp_path / "alliance.dump"

    backup = subprocess.run(["ops/backup.sh", str(dump)], cwd=ROOT, env=app_env(), capture_output=True, text=True)
    assert backup.returncode == 0, backup.stderr
    restore = subprocess.run(
        ["ops/restore.sh", str(dump), restored_url], cwd=ROOT, env=app_env(), capture_output=True, text=True
    )
    assert restore.returncode == 0, restore.stdout + restore.stderr

    assert _counts(restored_url) == _counts(source)
    assert _counts(restored_url)["alliance_firm"] == 24
    assert _export("export_firms", restored_url, tmp_path, "after.json") == _export(
        "export_firms", source, tmp_path, "before.json"
    )
    assert _export("export_proposals", restored_url, tmp_path, "p-after.json") == _export(
        "export_proposals", source, tmp_path, "p-before.json"
    )


def test_restore_refuses_a_database_that_already_has_tables(tmp_path):
    dump = tmp_path / "alliance.dump"
    assert subprocess.run(["ops/backup.sh", str(dump)], cwd=ROOT, env=app_env(), capture_output=True).returncode == 0

    refused = subprocess.run(
        ["ops/restore.sh", str(dump), worker_database_url()], cwd=ROOT, env=app_env(), capture_output=True, text=True
    )

    assert refused.returncode == 3
    assert "restore into a new database" in refused.stderr
