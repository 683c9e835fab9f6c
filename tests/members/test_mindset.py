"""思想状况 (四清楚之"思想"): the latest contact-log assessment per member, counted on the
dashboard by tier, drilled down with the same rule, by quarter, never for host staff."""

import io
from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from members.models import ContactLog, Member
from members.selectors.stats import mindset_trend, stats_overview
from members.services.contacts import contact_log_create
from members.services.stats import stats_rollup_refresh
from sanyuan.errors import FieldErrors
from tests import factories
from tests.conftest import client_for
from tests.tiers import add_host_staff

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def contact(w, member, day: str, mindset: str, staff=None):
    return contact_log_create(
        staff=staff or w.county_staff,
        member=member,
        contacted_on=day,
        channel="phone",
        mindset=mindset,
    )


@pytest.fixture
def data(world):
    """member_a: needs care (latest of two); member_a2: stable but 120 days ago (stale);
    member_b: never assessed (a contact without an assessment); member_a is hosted."""
    add_host_staff(world)
    contact(world, world.member_a, "2026-04-10", "stable")
    contact(world, world.member_a, "2026-11-20", "needs_care")
    contact(world, world.member_a2, "2026-07-30", "stable")
    contact(world, world.member_b, "2026-11-01", "")
    return world


def figure(body, dimension):
    return {item["key"]: item["count"] for item in body["figures"][dimension]["items"]}


def test_the_archive_keeps_the_latest_assessment_and_its_day(data):
    a = Member.objects.get(pk=data.member_a.pk)
    assert (a.mindset, a.mindset_assessed_on) == ("needs_care", date(2026, 11, 20))
    # An older contact entered late leaves the newer assessment in place.
    contact(data, data.member_a, "2026-10-01", "concerning")
    a.refresh_from_db()
    assert (a.mindset, a.mindset_assessed_on) == ("needs_care", date(2026, 11, 20))
    # A later entry of the same day wins.
    contact(data, data.member_a, "2026-11-20", "positive")
    a.refresh_from_db()
    assert a.mindset == "positive"
    assert Member.objects.get(pk=data.member_b.pk).mindset == ""


def test_host_staff_cannot_record_an_assessment(data):
    with pytest.raises(FieldErrors) as caught:
        contact(data, data.member_a, "2026-11-25", "concerning", staff=data.host_staff)
    assert "mindset" in caught.value.errors
    assert Member.objects.get(pk=data.member_a.pk).mindset == "needs_care"


def test_county_figure_counts_assessments_never_assessed_and_stale(data):
    body = client_for(data.county_staff).get("/api/stats/overview/").json()
    assert figure(body, "mindset") == {"needs_care": 1, "stable": 1, "never": 1}
    assert body["figures"]["mindset"]["title"] == "思想状况"
    assert body["engagement"]["mindset_stale"]["count"] == 1
    labels = {item["key"]: item["label"] for item in body["figures"]["mindset"]["items"]}
    assert labels == {"needs_care": "需要关心", "stable": "稳定", "never": "从未评估"}


def test_committee_figure_covers_only_their_subtree(data):
    b = client_for(data.staff_b).get("/api/stats/overview/").json()
    assert figure(b, "mindset") == {"never": 1}
    assert b["engagement"]["mindset_stale"]["count"] == 0


def test_host_staff_see_no_mindset_figure_trend_drill_down_or_export(data):
    body = client_for(data.host_staff).get("/api/stats/overview/").json()
    assert body["total"] == 1
    assert "mindset" not in body["figures"]
    assert "mindset_stale" not in body["engagement"]
    assert "mindset_trend" not in body
    client = factories.login_staff(Client(), data.host_staff)
    for query in ("dimension=mindset&key=needs_care", "dimension=mindset_stale&key=no"):
        listed = client_for(data.host_staff).get(f"/api/members/?{query}").json()
        assert listed["results"] == [], query
    for figure_name in ("mindset", "mindset_stale", "mindset_trend"):
        response = client.get(f"/staff/dashboard/export/?figure={figure_name}")
        assert response.status_code == 404, figure_name
    page = client.get("/staff/dashboard/").content.decode()
    assert "思想状况" not in page


def test_the_drill_down_lists_exactly_the_members_counted(data):
    api = client_for(data.county_staff)
    body = api.get("/api/stats/overview/").json()
    pairs = [(item["key"], item["count"]) for item in body["figures"]["mindset"]["items"]]
    for key, count in pairs:
        listed = api.get(f"/api/members/?dimension=mindset&key={key}").json()["results"]
        assert len(listed) == count, key
    stale = api.get("/api/members/?dimension=mindset_stale&key=yes").json()["results"]
    assert [row["id"] for row in stale] == [data.member_a2.pk]
    fresh = api.get("/api/members/?dimension=mindset_stale&key=no").json()["results"]
    assert {row["id"] for row in fresh} == {data.member_a.pk, data.member_b.pk}


def test_the_rollup_counts_the_same_mindset_figures(data, settings):
    live = client_for(data.county_staff).get("/api/stats/overview/").json()
    settings.STATS_LIVE_MAX_MEMBERS = 0
    stats_rollup_refresh()
    rolled = client_for(data.county_staff).get("/api/stats/overview/").json()
    assert rolled["source"] == "rollup"
    assert rolled["figures"]["mindset"] == live["figures"]["mindset"]
    assert rolled["engagement"]["mindset_stale"] == live["engagement"]["mindset_stale"]


def test_the_trend_counts_each_member_once_a_quarter_by_the_last_assessment(data):
    # A second assessment of member_a in Q4: only the last one counts for Q4.
    contact(data, data.member_a, "2026-10-05", "concerning")
    trend = mindset_trend(user=data.county_staff, today=date(2026, 11, 27))
    assert [q["quarter"] for q in trend][-4:] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert len(trend) == 8 and trend[0]["quarter"] == "2025-Q1"
    by_quarter = {q["quarter"]: {i["key"]: i["count"] for i in q["items"]} for q in trend}
    assert by_quarter["2026-Q4"] == {
        "positive": 0,
        "stable": 0,
        "needs_care": 1,
        "concerning": 0,
    }
    assert by_quarter["2026-Q3"]["stable"] == 1
    assert by_quarter["2026-Q2"]["stable"] == 1
    assert trend[-1]["label"] == "2026年第4季度" and trend[-1]["assessed"] == 1
    # Committee B keeps only member_b (never assessed); host staff get no trend at all.
    assert sum(q["assessed"] for q in mindset_trend(user=data.staff_b, today=NOW.date())) == 0
    assert sum(q["assessed"] for q in mindset_trend(user=data.host_staff, today=NOW.date())) == 0


def test_the_dashboard_page_and_the_trend_export(data):
    client = factories.login_staff(Client(), data.county_staff)
    page = client.get("/staff/dashboard/").content.decode()
    assert "思想状况季度趋势" in page and "2026年第4季度" in page
    response = client.get("/staff/dashboard/export/?figure=mindset_trend")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["季度", "积极向上", "稳定", "需要关心", "需重点关注", "评估人数"]
    assert rows[8] == ["2026年第4季度", 0, 0, 1, 0, 1]
    figure_export = client.get("/staff/dashboard/export/?figure=mindset")
    cells = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(figure_export.content)).active.iter_rows()
    ]
    assert ["需要关心", 1, "33.3%"] in cells


def test_the_overview_for_a_member_has_no_trend(data):
    overview = stats_overview(user=data.member_a.user)
    assert overview.mindset_trend == [] and overview.total() == 0
    assert ContactLog.objects.filter(member=data.member_a).count() == 2
