"""Phones and incomes at rest (issue 16 item 5): encrypted in the archive and its history, a
keyed hash beside the phone for exact search and replies, a band beside the income for the
dashboard; every write path keeps them in step."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from members.models import Member
from members.services.archive import member_contact_update, member_update
from members.services.sms_reach import member_phones, members_with_phone
from sanyuan.crypto import decrypt, keyed_hash
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SEARCH = "/api/members/search/"


def raw_row(table, pk_column, pk, columns):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {", ".join(columns)} FROM "{table}" WHERE "{pk_column}" = %s', [pk])
        return cursor.fetchone()


def raw_member(pk):
    return raw_row(
        "members_member", "id", pk, ["phone", "phone_hash", "monthly_income", "income_band"]
    )


def test_phone_and_income_are_not_in_clear_in_the_archive_or_its_history(world):
    member = world.member_a
    member_update(actor=world.staff_a, member=member, phone="13812345678", monthly_income=6500)
    phone, phone_hash, income, band = raw_member(member.pk)
    assert "13812345678" not in phone and "6500" not in income
    assert decrypt(phone) == "13812345678" and decrypt(income) == "6500"
    assert phone_hash == keyed_hash("13812345678", purpose="phone")
    assert band == "5000_8000"
    latest = Member.history.filter(id=member.pk).latest("history_id")
    h_phone, h_hash, h_income, h_band = raw_row(
        "members_historicalmember",
        "history_id",
        latest.history_id,
        ["phone", "phone_hash", "monthly_income", "income_band"],
    )
    assert "13812345678" not in h_phone and "6500" not in h_income
    assert decrypt(h_phone) == "13812345678" and decrypt(h_income) == "6500"
    assert (h_hash, h_band) == (phone_hash, "5000_8000")
    # The ORM reads them back as they were given.
    member = Member.objects.get(pk=member.pk)
    assert (member.phone, member.monthly_income, member.phone_masked) == (
        "13812345678",
        6500,
        "138****5678",
    )


def test_every_write_path_keeps_the_hash_and_band_in_step(world):
    member = world.member_a
    member_contact_update(member=member, phone="13900001111")  # save(update_fields=["phone"])
    assert raw_member(member.pk)[1] == keyed_hash("13900001111", purpose="phone")
    Member.objects.filter(pk=member.pk).update(phone="13900002222", monthly_income=12000)
    _phone, phone_hash, income, band = raw_member(member.pk)
    assert phone_hash == keyed_hash("13900002222", purpose="phone")
    assert decrypt(income) == "12000" and band == "12000_plus"
    member.refresh_from_db()
    member.monthly_income = None
    member.save(update_fields=["monthly_income"])
    assert raw_member(member.pk)[2:] == (None, None)
    Member.objects.filter(pk=member.pk).update(phone="", phone_hash="")
    assert member_phones([member.pk, world.member_b.pk]) == {
        member.pk: "",
        world.member_b.pk: world.member_b.phone,
    }


def test_a_family_may_share_a_phone_and_replies_find_every_archive_with_it(world):
    shared = "13711112222"
    for member in (world.member_a, world.member_a2):
        member_update(actor=world.staff_a, member=member, phone=shared)
    assert set(members_with_phone("+86" + shared).values_list("pk", flat=True)) == {
        world.member_a.pk,
        world.member_a2.pk,
    }


def test_staff_find_a_member_by_the_exact_phone_through_the_hash_never_a_like(world):
    from django.test.utils import CaptureQueriesContext

    member = world.member_a
    staff = client_for(world.staff_a)
    with CaptureQueriesContext(connection) as queries:
        answer = staff.post(SEARCH, {"q": member.phone}, format="json")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()] == [member.pk]
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"members_member"."phone_hash" =' in sql
    assert not re.search(r'"phone"(::text)?\)?\s+I?LIKE', sql, re.IGNORECASE)
    # A fragment of a phone finds nobody (no search on the encrypted column).
    assert staff.post(SEARCH, {"q": member.phone[:7]}, format="json").json() == []
    # The staff page's number search too.
    client = factories.login_staff(Client(), world.staff_a)
    found = client.post(reverse("members:staff-members"), {"full_q": member.phone})
    assert reverse("members:staff-member", args=[member.pk]) in found.content.decode()
