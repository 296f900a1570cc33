"""docs/operations.md's backup and restore, run as written: a dump of the database and an
archive of the private files, restored into a fresh database and folder, hold the
organisation's people and the receipt's bytes again."""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from buddy.storage import PrivateFileSystemStorage
from tests.factories_duos import active_duo
from tests.factories_matching import ParticipantFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the documented backup is PostgreSQL's (CI runs it on PostgreSQL)"),
]


def _url(settings_dict, name=None):
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgresql://{user}{password}@{host}:{port}/{name or settings_dict['NAME']}"


def _run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, result.stderr
    return result


def test_a_backup_restores_into_a_fresh_database_and_folder(organisation, tmp_path):
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        assert shutil.which(tool), f"{tool} is missing (Debian: postgresql-client)"
    participant = ParticipantFactory(organisation=organisation, first_name="Aïcha",
                                     last_name="Benali")
    duo = active_duo(organisation)
    private_root = tmp_path / "var" / "private"
    storage = PrivateFileSystemStorage(location=str(private_root))
    receipt_name = storage.save(f"receipts/{uuid.uuid4().hex}.pdf",
                                ContentFile(b"%PDF-1.4 bus ticket"))
    duo.expenses.create(spent_on=duo.started_on, amount_cents=320, kind="transport",
                        description="Bus", receipt=receipt_name)

    settings_dict = connection.settings_dict
    dump = tmp_path / "buddy.dump"
    archive = tmp_path / "private.tar.gz"
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _url(settings_dict)])
    _run(["tar", "-C", str(private_root.parent), "-czf", str(archive), private_root.name])

    restored = f"buddy_restore_{uuid.uuid4().hex[:8]}"
    restored_root = tmp_path / "elsewhere" / "private"
    restored_root.parent.mkdir()
    server = _url(settings_dict, "postgres")
    _run(["createdb", f"--maintenance-db={server}", restored])
    try:
        _run(["pg_restore", "--no-owner", f"--dbname={_url(settings_dict, restored)}",
              str(dump)])
        _run(["tar", "-C", str(restored_root.parent), "-xzf", str(archive)])
        with psycopg.connect(_url(settings_dict, restored)) as db:
            people = db.execute(
                "SELECT first_name, last_name FROM matching_participant WHERE organisation_id = "
                "%s AND id = %s", [organisation.pk, participant.pk]).fetchall()
            (receipt,) = db.execute(
                "SELECT receipt FROM duos_expense WHERE duo_id = %s", [duo.pk]).fetchone()
        assert people == [("Aïcha", "Benali")]
        restored_storage = PrivateFileSystemStorage(location=str(restored_root))
        with restored_storage.open(receipt) as handle:
            assert handle.read() == b"%PDF-1.4 bus ticket"
    finally:
        _run(["dropdb", f"--maintenance-db={server}", "--if-exists", restored])
