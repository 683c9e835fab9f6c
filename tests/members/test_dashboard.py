"""The "four knowns" dashboard against a hand-built data set: exact counts for each tier, live
and from the rollup; drill-down uses the same rule as the counts."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from members.models import AuditEvent, Member, Skill
from members.selectors.stats import stats_overview
from members.services.stats import stats_rollup_refresh
from members.stats_dimensions import COLUMNS, DIMENSIONS, Moments, classify, dimension_q
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def set_fields(member, **values):
    Member.objects.filter(pk=member.pk).update(**values)


@pytest.fixture
def data(world):
    welder = Skill.objects.create(name="电焊")
    cook = Skill.objects.create(name="厨师")
    set_fields(
        world.member_a,
        status="away",
        destination_province="440000",
        destination_city="440300",
        occupation="construction",
        monthly_income=6000,
        birth_date=date(1990, 5, 1),
        party_standing="full",
        last_contacted_at=NOW - timedelta(days=10),
        last_studied_at=NOW - timedelta(days=2),
        last_attended_at=datetime(2026, 10, 15, tzinfo=ZoneInfo("Asia/Shanghai")),
        support_group=True,
    )
    world.member_a.skills.add(welder)
    set_fields(
        world.member_a2,
        status="returned",
        destination_province="610000",
        destination_city="610100",
        occupation="retail",
        monthly_income=None,
        birth_date=date(1970, 1, 1),
        party_standing="probationary",
        last_contacted_at=NOW - timedelta(days=60),
    )
    set_fields(
        world.member_b,
        status="away",
        destination_province="440000",
        destination_city="440100",
        occupation="construction",
        monthly_income=13000,
        birth_date=date(2000, 6, 1),
        party_standing="full",
        last_contacted_at=None,
        last_posted_at=NOW - timedelta(days=10),
        is_vanguard=True,
        last_studied_at=datetime(2026, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    world.member_b.skills.add(welder, cook)
    return world


def figure(body, dimension):
    return {item["key"]: item["count"] for item in body["figures"][dimension]["items"]}


def engagement(body):
    return {key: value["count"] for key, value in body["engagement"].items()}


def test_county_figures_are_exact(data):
    body = client_for(data.county_staff).get("/api/stats/overview/").json()
    assert body["total"] == 3 and body["source"] == "live"
    assert figure(body, "status") == {"away": 2, "returned": 1}
    assert figure(body, "province") == {"440000": 2, "610000": 1}
    assert figure(body, "city") == {"440300": 1, "440100": 1, "610100": 1}
    assert figure(body, "occupation") == {"construction": 2, "retail": 1}
    assert figure(body, "skill") == {"电焊": 2, "厨师": 1}
    assert figure(body, "income") == {"5000_8000": 1, "unknown": 1, "12000_plus": 1}
    assert figure(body, "age") == {"30_39": 1, "50_59": 1, "under_30": 1}
    assert figure(body, "party_standing") == {"full": 2, "probationary": 1}
    assert figure(body, "contact") == {"within_30": 1, "within_90": 1, "never": 1}
    assert engagement(body) == {
        "studied_month": 1,
        "attended_quarter": 1,
        "posted_quarter": 1,
        "activated": 2,
        "lost_contact": 0,
        "support_group": 1,
        "vanguard": 1,
        "pacesetter": 0,
        "mindset_stale": 0,
    }
    assert figure(body, "mindset") == {"never": 3}
    labels = {item["key"]: item["label"] for item in body["figures"]["province"]["items"]}
    assert labels == {"440000": "广东省", "610000": "陕西省"}


def test_committee_figures_cover_only_their_subtree(data):
    a = client_for(data.staff_a).get("/api/stats/overview/").json()
    assert a["total"] == 2
    assert figure(a, "status") == {"away": 1, "returned": 1}
    assert figure(a, "skill") == {"电焊": 1}
    b = client_for(data.staff_b).get("/api/stats/overview/").json()
    assert b["total"] == 1 and figure(b, "occupation") == {"construction": 1}
    assert engagement(b)["vanguard"] == 1 and engagement(b)["support_group"] == 0


@pytest.mark.parametrize(("tier", "status"), [("member", 403), ("anonymous", 401)])
def test_the_dashboard_is_for_staff(data, tier, status):
    user = data.member_a.user if tier == "member" else None
    assert client_for(user).get("/api/stats/overview/").status_code == status


def test_the_rollup_gives_the_same_figures_and_says_how_fresh(data, settings):
    live = client_for(data.county_staff).get("/api/stats/overview/").json()
    settings.STATS_LIVE_MAX_MEMBERS = 0
    stats_rollup_refresh()
    rolled = client_for(data.county_staff).get("/api/stats/overview/").json()
    assert rolled["source"] == "rollup"
    assert rolled["figures"] == live["figures"] and rolled["engagement"] == live["engagement"]
    assert rolled["fresh_as_of"].startswith("2026-11-27")


def test_other_figures_open_change_requests_and_unanswered_forum_requests(data):
    from members.services.changes import change_request_submit

    change_request_submit(member=data.member_a, changes={"employer": "新单位"}, reason="换工作")
    other = {
        row["key"]: row["value"]
        for row in client_for(data.staff_a).get("/api/stats/overview/").json()["other"]
    }
    assert other["change_requests_open"] == 1
    assert other["forum_requests_unanswered"] == 0
    assert {
        row["key"]: row["value"]
        for row in client_for(data.staff_b).get("/api/stats/overview/").json()["other"]
    }["change_requests_open"] == 0


def test_drill_down_lists_exactly_the_members_behind_a_bar(data):
    client = client_for(data.county_staff)

    def ids(dimension, key):
        return {
            row["id"]
            for row in client.get(f"/api/members/?dimension={dimension}&key={key}").json()[
                "results"
            ]
        }

    assert ids("contact", "never") == {data.member_b.pk}
    assert ids("skill", "电焊") == {data.member_a.pk, data.member_b.pk}
    assert ids("income", "unknown") == {data.member_a2.pk}
    assert ids("age", "under_30") == {data.member_b.pk}
    assert ids("studied_month", "yes") == {data.member_a.pk}
    assert ids("city", "440300") == {data.member_a.pk}
    assert ids("nonsense", "x") == set()
    # committee A cannot drill into committee B's members
    assert {
        row["id"]
        for row in client_for(data.staff_a)
        .get("/api/members/?dimension=city&key=440100")
        .json()["results"]
    } == set()


def test_counting_and_drill_down_agree_for_every_member_and_dimension(data):
    moments = Moments.at()
    for row in Member.objects.values_list("pk", *COLUMNS):
        member_id, values = row[0], row[1:]
        keys = classify(values, moments)
        for dimension in DIMENSIONS:
            condition = dimension_q(dimension, keys[dimension], moments)
            assert Member.objects.filter(condition, pk=member_id).exists(), (
                dimension,
                keys[dimension],
            )


def test_the_dashboard_page_has_charts_with_tables_and_exports_are_logged(client, data):
    client.force_login(data.staff_a, backend="members.backends.StaffBackend")
    page = client.get("/staff/dashboard/").content.decode()
    assert 'id="dashboard-data"' in page and "chart.umd.min.js" in page
    assert "广东省" in page and "导出Excel" in page
    response = client.get("/staff/dashboard/export/?figure=province")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("流入省份", "人数")
    assert ("广东省", 1) in [row[:2] for row in rows]
    assert AuditEvent.objects.filter(action="stats.export", actor=data.staff_a).count() == 1
    assert client.get("/staff/dashboard/export/?figure=bogus").status_code == 404


def test_the_rollup_at_scale_keeps_only_big_subtrees(data, settings):
    settings.STATS_LIVE_MAX_MEMBERS = 2
    result = stats_rollup_refresh()
    assert result["organizations"] == 1  # only the county has more than two members
    assert stats_overview(user=data.county_staff).source == "rollup"
    assert stats_overview(user=data.staff_a).source == "live"


@pytest.mark.parametrize(
    ("today", "birth", "band"),
    [
        (date(2026, 11, 27), date(1996, 11, 27), "30_39"),  # 30 today
        (date(2026, 11, 27), date(1996, 11, 28), "under_30"),  # 30 tomorrow
        (date(2026, 11, 27), date(1966, 11, 27), "60_plus"),
        (date(2026, 11, 27), date(1966, 11, 28), "50_59"),
        (date(2026, 2, 28), date(1996, 2, 29), "under_30"),  # leap-day birth, not yet 30
        (date(2026, 3, 1), date(1996, 2, 29), "30_39"),
        (date(2028, 2, 29), date(1998, 2, 28), "30_39"),  # the bounds are cached per day
        (date(2028, 2, 29), date(1998, 3, 1), "under_30"),
    ],
)
def test_age_band_boundaries(today, birth, band):
    from members.stats_dimensions import age_key

    assert age_key(birth, today) == band
