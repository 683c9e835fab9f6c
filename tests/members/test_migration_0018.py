"""Migration 0018 converts existing archives and their history in place: clear phones and
incomes become tokens with their hash and band; backwards gives the clear values back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sanyuan.crypto import decrypt, keyed_hash

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("members", "0017_notice_delivery_member_sms_opt_out")]
AFTER = [("members", "0018_member_phone_income_encrypted")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def migrate_to_latest():
    """Every app at its leaf again (members past 0018 too), for the tests that follow."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def rows(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, phone, phone_hash, monthly_income, income_band FROM {table} "
            f"ORDER BY {pk}"
        )
        return cursor.fetchall()


def test_migration_0018_encrypts_phones_and_incomes_and_goes_back(world):
    pk = world.member_a.pk
    history_ids = [h.history_id for h in world.member_a.history.all()]
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE members_member SET phone = %s, monthly_income = %s WHERE id = %s",
                ["13800138000", 6500, pk],
            )
            cursor.execute(
                "UPDATE members_historicalmember SET phone = %s, monthly_income = NULL "
                "WHERE history_id = %s",
                ["13800138000", history_ids[0]],
            )
        migrate(AFTER)
        by_pk = {row[0]: row for row in rows("members_member", "id")}
        _pk, phone, phone_hash, income, band = by_pk[pk]
        assert phone != "13800138000" and decrypt(phone) == "13800138000"
        assert phone_hash == keyed_hash("13800138000", purpose="phone")
        assert decrypt(income) == "6500" and band == "5000_8000"
        for row in by_pk.values():
            assert row[1].startswith("gAAAAA") and len(row[2]) == 64
        history = {row[0]: row for row in rows("members_historicalmember", "history_id")}
        _h, h_phone, h_hash, h_income, h_band = history[history_ids[0]]
        assert decrypt(h_phone) == "13800138000" and h_hash == phone_hash
        assert h_income is None and h_band is None

        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone, monthly_income FROM members_member WHERE id = %s", [pk])
            assert cursor.fetchone() == ("13800138000", 6500)
    finally:
        migrate_to_latest()
