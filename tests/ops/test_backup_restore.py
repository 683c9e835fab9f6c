"""Backup and restore: every record and every file comes back in an empty database, and a
restore (or a first start) with other keys fails loudly."""

import hashlib
import json
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from forum.models import Board, Thread
from members.models import Member, RosterImport
from members.services.archive import member_update
from members.services.changes import change_request_submit
from members.services.contacts import contact_log_create
from sanyuan.backup import _table_counts, storage_names
from sanyuan.crypto import decrypt, keyed_hash
from tests import factories
from tests.forum import factories as forum_factories
from tests.ops.conftest import database_url, manage, product_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
OTHER_KEY = "b3RoZXItdGVzdC1vbmx5LWtleS1ub3QtdGhlLWJhY2s="


def _admin_connection():
    conn = psycopg2.connect(database_url("postgres"))
    conn.autocommit = True
    return conn


@pytest.fixture
def empty_database():
    """A new, empty database on the shared server, dropped afterwards."""
    name = f"sanyuan_restore_{uuid.uuid4().hex[:12]}"
    conn = _admin_connection()
    with conn.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield name
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def build_archive():
    """Records in every app, personal data in the encrypted columns, uploaded files."""
    world = factories.build_world()
    member_update(
        actor=world.staff_a,
        member=world.member_a,
        family_situation="父母年迈",
        phone="13912345678",
        monthly_income=6800,
    )
    contact_log_create(
        staff=world.staff_a,
        member=world.member_a,
        contacted_on="2026-01-05",
        channel="visit",
        note="走访，家中安好",
    )
    change_request_submit(
        member=world.member_a,
        changes={"name": "张三丰"},
        reason="户籍更名",
        evidence_files=[forum_factories.photo("hukou.jpg", size=(300, 200))],
    )
    forum_factories.thread(
        world.member_b.user,
        board=Board.FORUM,
        kind=Thread.Kind.REQUEST,
        images=[forum_factories.photo(), forum_factories.photo("b.jpg", color=(0, 90, 200))],
    )
    RosterImport.objects.create(
        uploaded_by=world.county_staff, file_name="花名册.csv", content="姓名,身份证号码"
    )
    return world


def table_counts(dbname=None) -> dict:
    if dbname is None:
        with connection.cursor() as cursor:
            return _table_counts(cursor)
    conn = psycopg2.connect(database_url(dbname))
    try:
        with conn.cursor() as cursor:
            return _table_counts(cursor)
    finally:
        conn.close()


def stored_files() -> dict[str, str]:
    out = {}
    for name in storage_names():
        with default_storage.open(name, "rb") as handle:
            out[name] = hashlib.sha256(handle.read()).hexdigest()
    return out


def tree_files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def restored_people(dbname) -> dict[int, tuple]:
    """Each restored archive's ID number, phone and income, decrypted with the configured keys,
    and its phone hash and income band as stored."""
    conn = psycopg2.connect(database_url(dbname))
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT id, id_number, phone, phone_hash, monthly_income, income_band "
                "FROM members_member"
            )
            return {
                pk: (
                    decrypt(id_number),
                    decrypt(phone) if phone else "",
                    phone_hash,
                    int(decrypt(income)) if income else None,
                    band,
                )
                for pk, id_number, phone, phone_hash, income, band in cursor.fetchall()
            }
    finally:
        conn.close()


def test_backup_and_restore_into_an_empty_database_finds_every_record_and_file(
    tmp_path, empty_database
):
    world = build_archive()
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    source_counts = table_counts()
    source_files = stored_files()
    assert manifest["database"]["tables"] == source_counts
    assert manifest["files"]["count"] == len(source_files) >= 5  # evidence, photos, thumbnails
    assert manifest["files"]["missing_referenced_count"] == 0
    assert set(manifest["keys"]) == {"encryption", "hash"}
    serialized = json.dumps(manifest)
    from django.conf import settings

    assert settings.PII_ENCRYPTION_KEYS[0] not in serialized
    assert settings.PII_HASH_KEY not in serialized
    assert manifest["versions"]["postgresql"] and manifest["versions"]["django"]
    assert manifest["migrations"]["members"] >= "0008"

    media = tmp_path / "restored-media"
    env = product_env(DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(media))
    result = manage("restore", str(backup), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every table and file is there" in result.stdout

    assert table_counts(empty_database) == source_counts
    assert tree_files(media) == source_files
    expected = {
        m.pk: (m.id_number, m.phone, m.phone_hash, m.monthly_income, m.income_band)
        for m in Member.objects.all()
    }
    restored = restored_people(empty_database)
    assert restored == expected
    # Phones and incomes came back too, and the phone is still found by its keyed hash.
    _id, phone, phone_hash, income, band = restored[world.member_a.pk]
    assert phone == "13912345678" and phone_hash == keyed_hash(phone, purpose="phone")
    assert income == 6800 and band

    # A first start with the right keys passes the database check; with others it stops.
    assert manage("check", "--database", "default", env=env).returncode == 0
    wrong = manage("check", "--database", "default", env={**env, "PII_ENCRYPTION_KEYS": OTHER_KEY})
    assert wrong.returncode != 0 and "sanyuan.E003" in wrong.stderr
    assert "cannot be decrypted" in wrong.stderr
    other_hash = {**env, "PII_HASH_KEY": "some-other-hash-key-000000000000"}
    wrong_hash = manage("check", "--database", "default", env=other_hash)
    assert wrong_hash.returncode != 0 and "id_number_hash" in wrong_hash.stderr
    assert "phone_hash" in wrong_hash.stderr


def test_a_restore_without_the_backups_keys_fails_loudly_and_restores_nothing(
    tmp_path, empty_database
):
    build_archive()
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    env = product_env(
        DATABASE_URL=database_url(empty_database), MEDIA_ROOT=str(tmp_path / "restored")
    )

    for override in (
        {"PII_ENCRYPTION_KEYS": OTHER_KEY},
        {"PII_HASH_KEY": "some-other-hash-key-000000000000"},
    ):
        result = manage("restore", str(backup), env={**env, **override})
        assert result.returncode != 0
        assert "not the backup's; nothing was restored" in result.stderr
        assert OTHER_KEY not in result.stderr  # fingerprints only
        assert table_counts(empty_database) == {}
        assert not (tmp_path / "restored").exists()

    # With the old key still listed after a rotation the backup's keys are all there.
    rotated = {"PII_ENCRYPTION_KEYS": f"{OTHER_KEY},{env['PII_ENCRYPTION_KEYS']}"}
    result = manage("restore", str(backup), env={**env, **rotated})
    assert result.returncode == 0, result.stderr


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path):
    build_archive()
    call_command("backup", str(tmp_path / "backup"))
    result = manage("restore", str(tmp_path / "backup"), env=product_env())
    assert result.returncode != 0 and "is not empty" in result.stderr


def test_a_damaged_backup_is_refused(tmp_path, empty_database):
    build_archive()
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    dump = backup / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = manage(
        "restore", str(backup), env=product_env(DATABASE_URL=database_url(empty_database))
    )
    assert result.returncode != 0 and "damaged" in result.stderr
    assert table_counts(empty_database) == {}


def test_files_on_s3_are_backed_up_and_restored_into_another_bucket(
    tmp_path, empty_database, s3_storage, s3_server
):
    build_archive()
    source_objects = s3_server.objects(s3_storage)
    assert default_storage.bucket_name == s3_storage
    assert len(source_objects) >= 5
    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    assert json.loads((backup / "manifest.json").read_text())["files"]["storage"] == "s3"

    target_bucket = s3_server.new_bucket()
    env = product_env(DATABASE_URL=database_url(empty_database), **s3_server.env(target_bucket))
    result = manage("restore", str(backup), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert s3_server.objects(target_bucket) == source_objects
    assert table_counts(empty_database) == table_counts()
