"""Transfers on the dashboard (figures) and the 工作台 (to-dos), the expiry task in beat,
the new member status across the registry's counts, and the read-only admin."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

from members.models import Member
from members.stats_dimensions import COLUMNS, Moments, classify, dimension_q, key_label
from tests.conftest import client_for
from tests.factories import login_staff
from tests.transfers import factories as tf
from transfers import stats, tasks, todos
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


def figure(user, key):
    return next(f["value"] for f in stats.staff_overview(user) if f["key"] == key)


def test_the_dashboard_counts_transfers_in_progress_and_overdue_receipts(tw):
    tf.requested(tw, to=tw.branch_a2)
    late = tf.issued(tw, member=tw.member_a2)
    tf.backdate_letter(late, 31)  # overdue before the sweep ran
    tf.prepared(tw, member=tw.member_b)
    assert figure(tw.county_staff, "transfers_open") == 3
    assert figure(tw.county_staff, "transfer_receipts_overdue") == 1
    assert figure(tw.staff_a, "transfers_open") == 2
    assert figure(tw.staff_b, "transfer_receipts_overdue") == 0
    assert stats.staff_overview(tw.host_staff) == []
    tasks.letters_expire_task()
    assert Transfer.objects.get(pk=late.pk).status == "expired"
    assert figure(tw.county_staff, "transfer_receipts_overdue") == 1
    body = client_for(tw.staff_a).get("/api/stats/overview/").json()
    keys = {row["key"] for row in body["other"]}
    assert {"transfers_open", "transfer_receipts_overdue"} <= keys


def test_the_figures_cost_one_query(tw):
    tf.requested(tw)
    stats.staff_overview(tw.staff_a)  # warm the grants cache
    with CaptureQueriesContext(connection) as queries:
        stats.staff_overview(tw.staff_a)
        todos.staff_todos(tw.staff_a)
    assert len(queries) == 2


def test_the_to_dos_say_what_waits_for_each_side(tw):
    tf.requested(tw, to=tw.branch_b1)  # A1 -> B1
    tf.prepared(tw, member=tw.member_a2)
    labels = {row["label"]: row for row in todos.staff_todos(tw.staff_a)}
    assert labels["待审批的县内组织关系转接"]["count"] == 1
    assert labels["待审批的县内组织关系转接"]["url"] == "/staff/transfers/?status=requested"
    assert "待开具的组织关系介绍信" not in labels  # the committee does not issue letters
    county = {row["label"]: row["count"] for row in todos.staff_todos(tw.county_staff)}
    assert county["待开具的组织关系介绍信"] == 1
    assert todos.staff_todos(tw.staff_b) == []  # B accepts only after A approved
    assert todos.staff_todos(tw.host_staff) == []
    assert todos.staff_todos(tw.member_a.user) == []


def test_the_to_do_provider_and_the_beat_job_are_configured(tw):
    assert "transfers.todos.staff_todos" in settings.STAFF_TODO_PROVIDERS
    for path in settings.STAFF_TODO_PROVIDERS:
        assert callable(import_string(path))
    jobs = {job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "transfers.expire-letters" in jobs
    assert tasks.letters_expire_task.name == "transfers.expire-letters"


def test_transferring_out_is_counted_and_drilled_down_like_every_status(tw):
    tf.issued(tw)
    member = Member.objects.get(pk=tw.member_a.pk)
    moments = Moments.at()
    # The dashboard's own column list: a figure added later needs no change here.
    row = Member.objects.filter(pk=member.pk).values_list(*COLUMNS).get()
    assert classify(row, moments)["status"] == "transferring_out"
    assert list(Member.objects.filter(dimension_q("status", "transferring_out", moments))) == [
        member
    ]
    assert key_label("status", "transferring_out", {}) == "转出中"
    body = client_for(tw.staff_a).get("/api/stats/overview/").json()
    items = body["figures"]["status"]["items"]
    assert any(item["key"] == "transferring_out" and item["count"] == 1 for item in items)


def test_members_transferring_out_stay_in_the_registry_lists_and_filter(tw):
    tf.issued(tw)
    rows = client_for(tw.staff_a).get("/api/members/?status=transferring_out").json()
    assert [row["id"] for row in rows["results"]] == [tw.member_a.pk]
    assert rows["results"][0]["status"] == "transferring_out"


def test_the_admin_lists_transfers_in_scope_read_only(tw, client):
    inside = tf.requested(tw, to=tw.branch_a2)
    other = tf.prepared(tw, member=tw.member_b)
    login_staff(client, tw.staff_a)
    page = client.get("/admin/transfers/transfer/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/admin/transfers/transfer/{inside.pk}/change/" in body
    assert f"/admin/transfers/transfer/{other.pk}/change/" not in body
    assert client.get(f"/admin/transfers/transfer/{other.pk}/change/").status_code in (302, 404)
    detail = client.get(f"/admin/transfers/transfer/{inside.pk}/change/")
    assert detail.status_code == 200 and tw.member_a.id_number not in detail.content.decode()
    assert client.post(f"/admin/transfers/transfer/{inside.pk}/change/", {}).status_code == 403
    assert client.get("/admin/transfers/transfer/add/").status_code == 403
    client.logout()
    login_staff(client, tw.host_staff)
    assert client.get("/admin/transfers/transfer/").status_code == 403
