"""困难帮扶: staff open a case for a member's family, the member asks from the phone, steps
to closure, reminders after 30 quiet days; member and home staff in scope only."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hometown import selectors, services, todos
from hometown.models import SupportCase
from members.models import AuditEvent, Notice
from sanyuan.errors import FieldErrors, StateConflict
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def open_case(w, member=None, **kw):
    return services.support_case_open(
        actor=kw.pop("actor", w.staff_a),
        member=member or w.member_a,
        kind=kw.pop("kind", "illness"),
        need=kw.pop("need", "母亲住院，需要有人照看"),
        helper=kw.pop("helper", "村支书 李明"),
    )


def page_client(user):
    if user.is_staff:
        return factories.login_staff(Client(), user)
    client = Client()
    client.force_login(user, backend="members.backends.MemberBackend")
    return client


def test_staff_open_a_case_the_member_sees_it_other_committees_and_host_staff_do_not(hw):
    case = open_case(hw)
    assert case.status == "open" and case.steps.get().kind == "opened"
    assert AuditEvent.objects.filter(action="support_case.open").count() == 1
    mine = client_for(hw.member_a.user).get("/api/me/support-cases/").json()
    assert [row["id"] for row in mine] == [case.pk]
    detail = client_for(hw.member_a.user).get(f"/api/support-cases/{case.pk}/").json()
    assert detail["need"] == "母亲住院，需要有人照看"
    assert client_for(hw.member_b.user).get(f"/api/support-cases/{case.pk}/").status_code == 404
    assert client_for(hw.staff_b).get(f"/api/support-cases/{case.pk}/").status_code == 404
    assert client_for(hw.county_staff).get(f"/api/support-cases/{case.pk}/").status_code == 200
    # Host staff host member_a but never see the family's case.
    assert client_for(hw.host_staff).get(f"/api/support-cases/{case.pk}/").status_code == 403
    assert client_for(hw.host_staff).get("/api/support-cases/").status_code == 403
    host_pages = page_client(hw.host_staff)
    assert host_pages.get(f"/staff/family-support/{case.pk}/").status_code == 403
    assert host_pages.get("/staff/family-support/").status_code == 403
    assert not selectors.support_case_list(user=hw.host_staff, which="all").exists()


def test_host_and_other_committee_staff_cannot_open_a_case(hw):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        open_case(hw, actor=hw.host_staff)
    with pytest.raises(Http404):
        open_case(hw, actor=hw.staff_b)
    assert not SupportCase.objects.exists()


def test_the_need_and_the_notes_are_stored_encrypted(hw):
    case = open_case(hw, need="SECRET-需求")
    services.support_case_step_add(actor=hw.staff_a, case=case, note="SECRET-进展")
    with connection.cursor() as cursor:
        cursor.execute("SELECT need FROM hometown_supportcase WHERE id = %s", [case.pk])
        assert "SECRET" not in cursor.fetchone()[0]
        cursor.execute("SELECT note FROM hometown_supportcasestep WHERE case_id = %s", [case.pk])
        assert all("SECRET" not in (row[0] or "") for row in cursor.fetchall())


def test_the_member_asks_staff_take_it_on_record_steps_and_close_it(
    hw, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.support_case_ask(
            actor=hw.member_a.user, member=hw.member_a, kind="farm_work", need="麦收缺人手"
        )
    assert case.status == "requested" and case.asked_by_member
    told = Notice.objects.filter(title__contains="申请困难帮扶")
    assert told.count() == 1 and told.get().audience_organization == hw.committee_a
    services.support_case_step_add(actor=hw.staff_a, case=case, note="已联系村里帮忙收麦")
    assert [s.kind for s in case.steps.all()] == ["asked", "accepted", "progress"]
    assert case.status == "open" and case.opened_by == hw.staff_a
    services.support_case_step_add(actor=hw.staff_a, case=case, note="麦已收完", close=True)
    assert case.status == "closed" and case.outcome == "麦已收完" and case.closed_at
    assert Notice.objects.filter(title__contains="已办结").exists()
    with pytest.raises(StateConflict):
        services.support_case_step_add(actor=hw.staff_a, case=case, note="再记一次")
    assert case.steps.count() == 4


def test_bad_input_is_refused_in_chinese_and_nothing_changes(hw):
    with pytest.raises(FieldErrors) as caught:
        open_case(hw, kind="lottery", need=" ")
    assert set(caught.value.errors) == {"kind", "need"}
    assert not SupportCase.objects.exists()
    api = client_for(hw.member_a.user)
    response = api.post("/api/me/support-cases/", {"kind": "illness", "need": "x" * 1001})
    assert response.status_code == 400 and not SupportCase.objects.exists()
    response = api.post("/api/me/support-cases/", {"kind": "nope", "need": "看病"})
    assert response.status_code == 400 and "困难类型" in response.json()["kind"][0]
    case = open_case(hw)
    response = client_for(hw.staff_a).post(f"/api/support-cases/{case.pk}/steps/", {"note": ""})
    assert response.status_code == 400 and case.steps.count() == 1


def test_the_member_pages_ask_and_show_the_case_on_the_phone(hw):
    client = page_client(hw.member_a.user)
    page = client.get("/me/family-support/")
    assert page.status_code == 200 and "申请帮扶" in page.content.decode()
    bad = client.post("/me/family-support/", {"kind": "", "need": ""})
    assert bad.status_code == 400 and not SupportCase.objects.exists()
    response = client.post("/me/family-support/", {"kind": "schooling", "need": "孩子转学"})
    case = SupportCase.objects.get()
    assert response.status_code == 302 and response.url == f"/me/family-support/{case.pk}/"
    assert "子女上学" in client.get(response.url).content.decode()
    other = open_case(hw, member=hw.member_b, actor=hw.staff_b)
    assert client.get(f"/me/family-support/{other.pk}/").status_code == 404


def test_the_staff_pages_open_record_and_close(hw):
    client = page_client(hw.staff_a)
    form = client.get(f"/staff/family-support/new/?member={hw.member_a.pk}")
    assert form.status_code == 200
    assert client.get(f"/staff/family-support/new/?member={hw.member_b.pk}").status_code == 404
    response = client.post(
        f"/staff/family-support/new/?member={hw.member_a.pk}",
        {"kind": "housing", "need": "房屋漏雨", "helper": "镇民政办"},
    )
    case = SupportCase.objects.get()
    assert response.status_code == 302
    response = client.post(
        f"/staff/family-support/{case.pk}/", {"note": "已维修", "helper": "", "close": "on"}
    )
    case.refresh_from_db()
    assert response.status_code == 302 and case.status == "closed"
    listing = client.get("/staff/family-support/?which=closed").content.decode()
    assert hw.member_a.name in listing


def test_figures_count_open_cases_days_open_and_stale_as_the_lists_do(hw):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=40), tick=False):
        old = open_case(hw)
    with time_machine.travel(start - timedelta(days=10), tick=False):
        open_case(hw, member=hw.member_a2)
    closed = open_case(hw)
    services.support_case_step_add(actor=hw.staff_a, case=closed, note="好了", close=True)
    with time_machine.travel(start, tick=False):
        figures = selectors.support_case_figures(user=hw.staff_a)
        assert figures == {
            "open": 2,
            "stale": 1,
            "average_days_open": 25,
            "longest_days_open": 40,
        }
        assert selectors.support_case_list(user=hw.staff_a, which="open").count() == 2
        stale = selectors.support_case_list(user=hw.staff_a, which="stale")
        assert list(stale) == [old]
        body = client_for(hw.staff_a).get("/api/stats/overview/").json()
        other = {row["key"]: row["value"] for row in body["other"]}
        assert other["support_cases_open"] == 2 and other["support_cases_stale"] == 1
        assert other["support_cases_average_days_open"] == 25
        api = client_for(hw.staff_a).get("/api/hometown/figures/").json()
        assert api["support_cases_open"] == 2
        listed = client_for(hw.staff_a).get("/api/support-cases/?which=stale").json()
        assert [row["id"] for row in listed["results"]] == [old.pk]
    assert selectors.support_case_figures(user=hw.staff_b)["open"] == 0
    host = client_for(hw.host_staff).get("/api/stats/overview/").json()
    assert not {row["key"] for row in host["other"]} & {"support_cases_open"}


def test_a_quiet_case_reminds_the_home_branch_once_per_quiet_period(hw, settings):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=31), tick=False):
        case = open_case(hw)
    assert services.support_cases_remind_stale(now=start) == 1
    reminder = Notice.objects.get(title__contains="无进展")
    assert reminder.audience_organization == hw.committee_a and reminder.audience == "staff"
    assert services.support_cases_remind_stale(now=start + timedelta(days=1)) == 0
    services.support_case_step_add(actor=hw.staff_a, case=case, note="电话回访")
    assert services.support_cases_remind_stale(now=start + timedelta(days=29)) == 0
    assert services.support_cases_remind_stale(now=start + timedelta(days=31)) == 1
    assert "hometown.remind-stale-cases" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_the_workbench_lists_requested_and_quiet_cases(hw):
    services.support_case_ask(
        actor=hw.member_a.user, member=hw.member_a, kind="illness", need="父亲住院"
    )
    labels = {row["label"]: row["count"] for row in todos.staff_todos(hw.staff_a)}
    assert labels == {"党员申请的困难帮扶待受理": 1}
    assert todos.staff_todos(hw.staff_b) == []
    assert todos.staff_todos(hw.host_staff) == []
    assert todos.staff_todos(hw.member_a.user) == []
    page = page_client(hw.staff_a).get("/staff/").content.decode()
    assert "党员申请的困难帮扶待受理" in page


def test_the_case_list_costs_the_same_queries_for_any_page(hw):
    for _ in range(35):
        open_case(hw, member=hw.member_a2)
    client = client_for(hw.staff_a)
    client.get("/api/support-cases/")
    counts = []
    for url in ("/api/support-cases/?which=open", "/api/support-cases/?which=all"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert len(response.json()["results"]) == 35
        counts.append(len(queries))
    pages = page_client(hw.staff_a)
    with CaptureQueriesContext(connection) as few:
        pages.get("/staff/family-support/?which=open")
    first = pages.get("/staff/family-support/?which=open")
    assert first.status_code == 200 and "下一页" in first.content.decode()
    assert counts[0] == counts[1] and counts[0] <= 8
    assert len(few) <= 14


def test_the_figures_export_is_excel_for_home_staff_only(hw):
    import io

    from openpyxl import load_workbook

    open_case(hw)
    response = page_client(hw.staff_a).get("/staff/hometown/export/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [[c.value for c in row] for row in book["困难帮扶"].iter_rows()]
    assert ["办理中的困难帮扶（件）", 1] in cells
    assert AuditEvent.objects.filter(action="hometown.export").exists()
    assert page_client(hw.host_staff).get("/staff/hometown/export/").status_code == 403
    assert page_client(hw.member_a.user).get("/staff/hometown/export/").status_code == 403
