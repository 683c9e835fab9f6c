"""Rotating the personal-data keys: every encrypted column re-encrypted, keyed hashes rebuilt,
resumable after an interruption, nothing left for the old keys (then they can go)."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from members.models import ChangeRequest, ContactLog, Member, OneTimeCode, RosterImport
from members.services.archive import member_update
from members.services.changes import change_request_submit
from members.services.contacts import contact_log_create
from sanyuan import rotation
from sanyuan.crypto import EncryptedTextField, keyed_hash
from sanyuan.keys import encrypted_tables, key_problems
from sanyuan.models import KeyRotationProgress
from tests import factories

pytestmark = pytest.mark.django_db

OLD_KEY = "dGVzdC1vbmx5LXBpaS1lbmNyeXB0aW9uLWtleS0wMDA="  # tests/settings.py
NEW_KEY = Fernet.generate_key().decode()
NEW_HASH_KEY = "a-new-hash-key-for-the-rotation-test-0001"


def raw_values(table, columns):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {", ".join(columns)} FROM "{table}"')
        return [value for row in cursor.fetchall() for value in row if value]


def every_token():
    """(table, column, token) for every non-empty encrypted value in the database."""
    found = []
    for table in encrypted_tables():
        for column in table.encrypted:
            found += [(table.table, column, v) for v in raw_values(table.table, [column])]
    return found


@pytest.fixture
def archive(world):
    """Personal data in every encrypted column, including the history table's copies."""
    member = world.member_a
    member_update(
        actor=world.staff_a,
        member=member,
        family_situation="父母年迈，需要照顾",
        employer="富士康",
        monthly_income=6500,
    )
    member_update(actor=world.staff_a, member=member, mindset_note="思想稳定，积极参加学习")
    contact_log_create(
        staff=world.staff_a,
        member=member,
        contacted_on=timezone.localdate().isoformat(),
        channel="phone",
        note="电话联系，身体健康",
    )
    change_request_submit(member=world.member_b, changes={"employer": "比亚迪"}, reason="换了工作")
    RosterImport.objects.create(
        uploaded_by=world.county_staff, file_name="花名册.csv", content="姓名,身份证号码\n张三,…"
    )
    OneTimeCode.objects.create(
        member=world.member_a2,
        code_hash=keyed_hash(f"{world.member_a2.pk}:123456", purpose="one_time_code"),
        channel=OneTimeCode.Channel.STAFF,
        expires_at=timezone.now() + timedelta(hours=72),
    )
    return world


def _values(m):
    return (m.id_number, m.family_situation, m.mindset_note, m.phone, m.monthly_income)


def _history_values(h):
    return (h.history_id, h.id_number, h.family_situation, h.phone, h.monthly_income)


def test_every_encrypted_column_of_every_app_is_found():
    found = {(t.table, c) for t in encrypted_tables() for c in t.encrypted}
    declared = {
        (m._meta.db_table, f.column)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, EncryptedTextField)
    }
    assert found == declared
    assert {
        ("members_member", "id_number"),
        ("members_member", "family_situation"),
        ("members_member", "mindset_note"),
        ("members_member", "phone"),
        ("members_member", "monthly_income"),
        ("members_historicalmember", "phone"),
        ("members_historicalmember", "monthly_income"),
        ("members_historicalmember", "id_number"),
        ("members_historicalmember", "family_situation"),
        ("members_historicalmember", "mindset_note"),
        ("members_contactlog", "note"),
        ("members_changerequest", "changes_json"),
        ("members_rosterimport", "content"),
    } <= found


def test_every_keyed_hash_column_is_rebuilt_or_knowingly_voided():
    """A new `*_hash` column must be declared in its model's KEYED_HASHES (rebuilt from an
    encrypted value) or listed here with the reason it cannot be rebuilt."""
    not_rebuildable = {  # hashes of secrets never stored: voided / forgotten by the rotation
        ("members_onetimecode", "code_hash"),
        ("members_remembereddevice", "token_hash"),
    }
    rebuilt = {(t.table, c) for t in encrypted_tables() for c in t.hashes}
    ours = {"members", "learning", "activities", "forum", "sanyuan"}
    hash_columns = {
        (m._meta.db_table, f.column)
        for m in apps.get_models()
        if m._meta.app_label in ours
        for f in m._meta.concrete_fields
        if f.column.endswith("_hash")
    }
    assert hash_columns == rebuilt | not_rebuildable
    assert ("members_historicalmember", "id_number_hash") in rebuilt
    assert ("members_member", "phone_hash") in rebuilt
    assert ("members_historicalmember", "phone_hash") in rebuilt


def test_rotation_is_resumable_and_leaves_nothing_for_the_old_keys(archive, settings, api):
    before = {m.pk: _values(m) for m in Member.objects.all()}
    history_before = sorted(_history_values(h) for h in Member.history.all())
    assert any(income == 6500 for *_v, income in before.values())
    tokens_before = every_token()
    assert len(tokens_before) >= 12
    from django.utils import timezone

    from members.models import RememberedDevice

    phone_user = Member.objects.filter(user__isnull=False).first().user
    phone = Client()
    phone.force_login(phone_user, backend="members.backends.MemberBackend")
    device = RememberedDevice.objects.create(
        user=phone_user,
        token_hash="0" * 64,
        label="测试手机",
        last_used_at=timezone.now(),
        session_key=phone.session.session_key,
    )
    assert phone.get("/me/").status_code == 200
    assert all(table != "members_historicalmember" or t for table, _c, t in tokens_before)

    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    settings.PII_HASH_KEY = NEW_HASH_KEY
    with pytest.raises(CommandError, match="still need rotate_pii_keys"):
        call_command("rotate_pii_keys", "--verify")
    assert key_problems()  # the members' hashes are not made with the new hash key yet

    # Interrupted: one batch of two rows per table, as if the process had been stopped.
    call_command("rotate_pii_keys", "--batch-size", "2", "--max-batches", "1")
    assert KeyRotationProgress.objects.filter(finished_at__isnull=True).exists()
    new = Fernet(NEW_KEY)
    under_new = [t for _tb, _c, t in every_token() if _opens(new, t)]
    assert 0 < len(under_new) < len(tokens_before)
    history_count = Member.history.count()

    call_command("rotate_pii_keys", "--batch-size", "2")
    assert not KeyRotationProgress.objects.filter(finished_at__isnull=True).exists()
    assert Member.history.count() == history_count  # raw updates: no new history rows
    call_command("rotate_pii_keys", "--verify")
    assert key_problems() == []
    assert all(_opens(new, token) for _tb, _c, token in every_token())

    # The old keys can go: everything reads with the new key alone.
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY]
    after = {m.pk: _values(m) for m in Member.objects.all()}
    assert after == before
    assert sorted(_history_values(h) for h in Member.history.all()) == history_before
    assert ContactLog.objects.get().note == "电话联系，身体健康"
    assert ChangeRequest.objects.get().changes["employer"]["new"] == "比亚迪"
    assert RosterImport.objects.get().content.startswith("姓名,身份证号码")
    # Lookups by ID number use the new hash key, history copies included.
    member = archive.member_a
    digest = keyed_hash(member.id_number, purpose="id_number")
    assert Member.objects.get(id_number_hash=digest).pk == member.pk
    assert set(Member.history.filter(id=member.pk).values_list("id_number_hash", flat=True)) == {
        digest
    }
    # And by phone: the exact search finds the member through the rebuilt hash.
    phone_digest = keyed_hash(member.phone, purpose="phone")
    assert list(Member.objects.filter(phone_hash=phone_digest).values_list("pk", flat=True)) == [
        member.pk
    ]
    assert set(Member.history.filter(id=member.pk).values_list("phone_hash", flat=True)) == {
        phone_digest
    }
    response = api.post(
        "/api/auth/login/",
        {"name": member.name, "id_number": member.id_number, "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.json()
    # Codes hashed with the old key cannot be checked any more: voided, not left dangling.
    assert not OneTimeCode.objects.filter(voided_at__isnull=True).exists()
    # So are remembered phones: forgotten, the member types the name and ID number once more.
    device.refresh_from_db()
    assert device.revoked_at is not None
    # And their sessions end: a forgotten phone is no longer in 登录设备 to be signed out there.
    assert phone.get("/me/").status_code == 302


def test_a_run_that_fails_mid_batch_changes_nothing_of_that_batch_and_a_rerun_finishes(
    archive, settings, monkeypatch
):
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    history = "members_historicalmember"
    history_ids = list(Member.history.order_by("history_id").values_list("history_id", flat=True))
    assert len(history_ids) >= 5
    real = rotation._rotate_row
    seen = []

    def failing(table, *args):
        if table.table == history:
            seen.append(1)
            if len(seen) == 5:
                raise KeyboardInterrupt  # the operator pressed Ctrl-C in the second batch
        return real(table, *args)

    monkeypatch.setattr(rotation, "_rotate_row", failing)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_pii_keys", "--batch-size", "3")
    assert KeyRotationProgress.objects.get(table=history).last_pk == history_ids[2]
    new = Fernet(NEW_KEY)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT history_id, id_number FROM "{history}" ORDER BY history_id')
        done = [pk for pk, token in cursor.fetchall() if _opens(new, token)]
    assert done == history_ids[:3]  # the interrupted batch was rolled back whole

    monkeypatch.setattr(rotation, "_rotate_row", real)
    call_command("rotate_pii_keys", "--batch-size", "3")
    call_command("rotate_pii_keys", "--verify")


def test_a_finished_rotation_run_again_changes_nothing(archive, settings):
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_pii_keys")
    tokens = every_token()
    call_command("rotate_pii_keys", "--restart")
    assert every_token() == tokens
    assert sum(KeyRotationProgress.objects.values_list("rows_reencrypted", flat=True)) == 0


def test_wrong_keys_are_reported_by_the_database_check(archive, settings):
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY]
    problems = key_problems()
    assert any("members_member.id_number" in p and "cannot be decrypted" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("key_fingerprints")

    settings.PII_ENCRYPTION_KEYS = [OLD_KEY]
    settings.PII_HASH_KEY = NEW_HASH_KEY
    assert any("members_member.id_number_hash" in p for p in key_problems())


def _opens(fernet, token) -> bool:
    try:
        fernet.decrypt(token.encode())
        return True
    except InvalidToken:
        return False
