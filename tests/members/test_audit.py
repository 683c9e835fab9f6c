"""The audit log: what is recorded, that it holds no personal data in clear, that the database
keeps it append-only, the retention purge, and who can search it."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from members.models import AuditEvent, User
from members.services.audit import audit_purge, audit_record
from members.tasks import audit_purge_task
from tests import factories
from tests.conftest import client_for
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# What is recorded --------------------------------------------------------------------------


def test_member_logins_are_recorded_with_address_and_never_the_id_number(api, world):
    member = world.member_a
    ok = api.post(
        "/api/auth/login/",
        {"name": member.name, "id_number": member.id_number, "password": factories.PASSWORD},
        format="json",
        REMOTE_ADDR="10.3.3.3",
    )
    assert ok.status_code == 200
    bad = api.post(
        "/api/auth/login/",
        {"name": member.name, "id_number": member.id_number, "password": "wrong-wrong-1"},
        format="json",
        REMOTE_ADDR="10.3.3.4",
    )
    assert bad.status_code == 400
    success = AuditEvent.objects.get(action="login.success")
    failure = AuditEvent.objects.get(action="login.failure")
    assert success.actor == member.user and success.ip_address == "10.3.3.3"
    assert success.detail["id_number"] == member.id_number_masked
    assert failure.actor is None and failure.ip_address == "10.3.3.4"
    assert failure.detail == {
        "kind": "member",
        "id_number": member.id_number_masked,
        "reason": "credentials",
    }
    for event in (success, failure):
        assert member.id_number not in json.dumps(event.detail)


def test_a_malformed_id_number_at_login_is_not_stored_at_all(api, world):
    api.post(
        "/api/auth/login/",
        {"name": "张三", "id_number": "61042219900101123", "password": "whatever-123"},
        format="json",
    )
    event = AuditEvent.objects.get(action="login.failure")
    assert "61042219900101123" not in json.dumps(event.detail)
    assert event.detail["id_number"] == "（格式无效）"


def test_staff_logins_and_page_logins_are_recorded(world):
    client = Client()
    client.post(
        "/accounts/login/",
        {"as": "staff", "username": "staff_a", "password": "bad-password-1"},
        REMOTE_ADDR="10.4.4.4",
    )
    client.post(
        "/accounts/login/",
        {"as": "staff", "username": "staff_a", "password": factories.PASSWORD},
        REMOTE_ADDR="10.4.4.4",
    )
    client.post("/accounts/logout/")
    assert actions() == ["login.failure", "login.success", "logout"]
    failure = AuditEvent.objects.get(action="login.failure")
    assert failure.detail == {"kind": "staff", "username": "staff_a", "reason": "credentials"}
    assert failure.ip_address == "10.4.4.4"


def test_permission_denials_and_scoped_404s_are_recorded(world):
    as_member = client_for(world.member_a.user)
    assert as_member.get("/api/members/").status_code == 403
    as_b = client_for(world.staff_b)
    assert as_b.get(f"/api/members/{world.member_a.pk}/").status_code == 404
    denied = list(AuditEvent.objects.filter(action="access.denied").order_by("id"))
    assert [(e.actor, e.detail["status"]) for e in denied] == [
        (world.member_a.user, 403),
        (world.staff_b, 404),
    ]
    assert denied[1].detail["path"] == f"/api/members/{world.member_a.pk}/"
    assert denied[1].detail["view"] == "api:member-detail"


def test_unknown_urls_are_not_recorded_as_denials(world):
    client_for(world.staff_b).get("/api/no-such-thing/")
    Client().get("/wp-login.php")
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_a_scanner_cannot_flood_the_audit_log_with_denials(world, settings):
    as_member = client_for(world.member_a.user)
    for _ in range(settings.AUDIT_DENIALS_PER_MINUTE * 3):
        assert as_member.get("/api/members/").status_code == 403
    assert (
        AuditEvent.objects.filter(action="access.denied").count()
        == settings.AUDIT_DENIALS_PER_MINUTE
    )


def test_archive_changes_are_recorded_with_field_names_only(world):
    staff = client_for(world.staff_a)
    response = staff.patch(
        f"/api/members/{world.member_a.pk}/",
        {"employer": "比亚迪股份有限公司", "monthly_income": 8800},
        format="json",
    )
    assert response.status_code == 200, response.json()
    event = AuditEvent.objects.get(action="member.change")
    assert event.actor == world.staff_a
    assert sorted(event.detail["fields"]) == ["employer", "monthly_income"]
    assert "比亚迪" not in json.dumps(event.detail, ensure_ascii=False)
    assert "8800" not in json.dumps(event.detail)

    client_for(world.member_a.user).patch("/api/me/", {"phone": "13900001111"}, format="json")
    own = AuditEvent.objects.filter(action="member.change").latest("id")
    assert own.actor == world.member_a.user and own.detail == {"fields": ["phone"]}


def test_exports_contacts_and_reviews_are_recorded(world):
    staff = client_for(world.staff_a)
    staff.post(
        f"/api/members/{world.member_a.pk}/contacts/",
        {"contacted_on": str(timezone.localdate()), "channel": "phone", "note": "家中一切安好"},
        format="json",
    )
    client = login_staff(Client(), world.staff_a)
    assert client.get("/staff/members/export/").status_code == 200
    contact = AuditEvent.objects.get(action="contact.create")
    assert contact.detail == {"fields": ["contacted_on", "channel", "note"]}
    assert AuditEvent.objects.get(action="member.export").actor == world.staff_a


def test_identifying_numbers_in_any_detail_are_masked(world):
    event = audit_record(
        actor=world.staff_a,
        action="test.raw",
        detail={
            "q": f"找 {world.member_a.id_number} 和 13912345678",
            "nested": [{"x": "13800001234"}],
        },
    )
    text = json.dumps(event.detail, ensure_ascii=False)
    assert world.member_a.id_number not in text
    assert "13912345678" not in text and "139****5678" in text
    assert "13800001234" not in text


# Append-only, retention ----------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_an_audit_event(world):
    event = audit_record(actor=world.staff_a, action="test.keep")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.action == "test.keep"


def test_even_old_events_cannot_be_deleted_outside_the_purge(world):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = audit_record(actor=None, action="test.old")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=old.pk).delete()


def test_deleting_an_account_keeps_its_events_without_the_actor(world):
    user = User.objects.create_user(username="temp-staff", password="x-Long-Pass-1")
    event = audit_record(actor=user, action="test.by-temp")
    user.delete()
    event.refresh_from_db()
    assert event.actor is None and event.action == "test.by-temp"


def test_the_purge_deletes_only_events_past_the_retention(world, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = audit_record(actor=None, action="test.old")
    with time_machine.travel(timezone.now() - timedelta(days=200)):
        kept = audit_record(actor=None, action="test.kept")
    assert audit_purge_task.delay().get() == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()


def test_the_purge_never_goes_below_180_days(world, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=100)):
        young = audit_record(actor=None, action="test.young")
    assert audit_purge() == 0
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_the_purge_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-purge"]
    assert entry["task"] == "members.audit-purge"


# Searching ------------------------------------------------------------------------------------


def test_county_staff_search_the_log_by_action_actor_date_target_and_address(client, world):
    audit_record(actor=world.staff_a, action="member.view", target=world.member_a, ip="10.5.5.5")
    audit_record(actor=world.staff_b, action="member.view", target=world.member_b, ip="10.6.6.6")
    login_staff(client, world.county_staff)
    base = "/admin/members/auditevent/"
    assert client.get(base).status_code == 200
    by_actor = client.get(f"{base}?actor={world.staff_a.pk}").content.decode()
    assert "10.5.5.5" in by_actor and "10.6.6.6" not in by_actor
    by_ip = client.get(f"{base}?q=10.6.6.6").content.decode()
    assert "10.6.6.6" in by_ip and "10.5.5.5" not in by_ip
    by_target = client.get(f"{base}?q={world.member_b.pk}&target_type=members.member")
    assert by_target.status_code == 200
    today = timezone.localdate()
    by_date = client.get(
        f"{base}?action=member.view&created_at__year={today.year}&created_at__month={today.month}"
    )
    assert by_date.status_code == 200 and "10.5.5.5" in by_date.content.decode()
    assert client.get(f"{base}?q=not-an-ip%25").status_code == 200


def test_nobody_can_edit_or_delete_events_in_the_admin_and_committee_staff_cannot_read_them(
    client, world
):
    event = audit_record(actor=world.staff_a, action="member.view", target=world.member_a)
    login_staff(client, world.county_staff)
    url = f"/admin/members/auditevent/{event.pk}/"
    assert client.get(url + "change/").status_code == 200
    assert client.post(url + "change/", {"action": "changed"}).status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "member.view"
    login_staff(client, world.staff_a)
    assert client.get("/admin/members/auditevent/").status_code == 403


# A journey, then a scan of every row for personal data in clear --------------------------------


def test_after_a_journey_no_audit_row_holds_personal_data_in_clear(world, sms_outbox):
    member = world.member_a
    member.monthly_income = 12345
    member.family_situation = "父母年迈需照顾"
    member.employer = "西安隆基绿能科技股份有限公司"
    member.save()
    staff = client_for(world.staff_a)
    staff.get(f"/api/members/{member.pk}/")
    staff.post(f"/api/members/{member.pk}/reveal-id-number/")
    staff.patch(
        f"/api/members/{member.pk}/",
        {"family_situation": "母亲住院治疗中", "phone": "13711112222"},
        format="json",
    )
    staff.post(f"/api/members/{world.member_a2.pk}/activation-code/", {"reason": "手机号已停用"})
    as_member = client_for(member.user)
    as_member.post(
        "/api/me/change-requests/",
        {"changes": {"employer": "三原县人民医院"}, "reason": "换了工作"},
        format="json",
    )
    pending = member.change_requests.get()
    staff.post(f"/api/change-requests/{pending.pk}/approve/", {"comment": "已核实"}, format="json")
    api = client_for(None)
    for password in ["wrong-1-wrong", factories.PASSWORD]:
        api.post(
            "/api/auth/login/",
            {"name": member.name, "id_number": member.id_number, "password": password},
            format="json",
        )
    login_staff(Client(), world.staff_a).get("/staff/members/export/?q=" + member.id_number)
    client_for(world.staff_b).get(f"/api/members/{member.pk}/")

    rows = list(AuditEvent.objects.values("action", "detail"))
    assert {row["action"] for row in rows} >= {
        "member.view",
        "member.reveal_id_number",
        "member.change",
        "one_time_code.issue",
        "change_request.approve",
        "login.failure",
        "login.success",
        "member.export",
        "access.denied",
    }
    member.refresh_from_db()
    secrets = [
        member.id_number,
        world.member_a2.id_number,
        member.id_number[6:14],  # the birth date inside it
        "13711112222",
        "12345",
        "父母年迈",
        "母亲住院",
        "隆基绿能",
        "三原县人民医院",
    ]
    for row in rows:
        text = json.dumps(row["detail"], ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, (row["action"], secret)
        assert not re.search(r"\d{17}[\dX]", text), row


# The staff page ---------------------------------------------------------------------------------


def test_the_county_searches_the_log_on_the_staff_page(world):
    audit_record(actor=world.staff_a, action="member.view", target=world.member_a, ip="10.5.5.5")
    audit_record(actor=world.staff_b, action="member.export", ip="10.6.6.6")
    client = login_staff(Client(), world.county_staff)
    url = "/staff/audit/"
    page = client.get(url)
    assert page.status_code == 200 and "10.5.5.5" in page.content.decode()
    cases = {
        "action=member.export": ("10.6.6.6", "10.5.5.5"),
        "actor=staff_a": ("10.5.5.5", "10.6.6.6"),
        f"target_type=members.member&target_id={world.member_a.pk}": ("10.5.5.5", "10.6.6.6"),
        "ip=10.6.6.6": ("10.6.6.6", "10.5.5.5"),
    }
    for query, (present, absent) in cases.items():
        html = client.get(f"{url}?{query}").content.decode()
        assert present in html and absent not in html, query
    today = timezone.localdate()
    assert "10.5.5.5" in client.get(f"{url}?day_from={today}&day_to={today}").content.decode()
    tomorrow = today + timedelta(days=1)
    assert "10.5.5.5" not in client.get(f"{url}?day_from={tomorrow}").content.decode()
    for junk in ["ip=%25", "actor=%25", "target_id=' OR 1=1", "action=%25"]:  # match nothing
        response = client.get(f"{url}?{junk}")
        assert response.status_code == 200, junk
        assert "10.5.5.5" not in response.content.decode(), junk
    for junk in ["day_from=2026-13-45", "cursor=²", "day_to=x"]:  # ignored
        response = client.get(f"{url}?{junk}")
        assert response.status_code == 200 and "10.5.5.5" in response.content.decode(), junk


def test_only_the_county_reads_the_staff_audit_page(world):
    assert login_staff(Client(), world.staff_a).get("/staff/audit/").status_code == 404
    member = Client()
    member.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    assert member.get("/staff/audit/").status_code == 403
    assert Client().get("/staff/audit/").status_code == 302


def test_the_staff_audit_page_costs_the_same_for_few_and_many_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login_staff(Client(), world.county_staff)
    for _ in range(3):
        audit_record(actor=world.staff_a, action="member.view", target=world.member_a)
    client.get("/staff/audit/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/audit/")
    for _ in range(60):
        audit_record(actor=world.staff_b, action="member.view", target=world.member_b)
    with CaptureQueriesContext(connection) as many:
        client.get("/staff/audit/")
    assert len(many.captured_queries) == len(few.captured_queries)
