"""The 三会一课 record per branch against the usual cadence."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Attendance
from activities.selectors import cadence_report
from tests.activities import factories as af
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
K = Activity.Kind
S = Activity.Status
TZ = timezone.get_current_timezone()


def held(org, kind, year, month, day=10, status=S.HELD):
    activity = af.activity(org, kind=kind, status=status)
    start = datetime(year, month, day, 9, tzinfo=TZ)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=2)
    )
    activity.refresh_from_db()
    return activity


def full_record(org, year, months):
    for month in months:
        held(org, K.COMMITTEE_MEETING, year, month)
        held(org, K.GROUP_MEETING, year, month, day=15)
        if month % 3 == 0:
            held(org, K.GENERAL_MEETING, year, month, day=20)
            held(org, K.PARTY_LECTURE, year, month, day=21)


def rows_by_name(report):
    return {row.organization.name: row for row in report.rows}


def test_a_branch_keeping_the_cadence_is_not_behind_and_one_skipping_is(aw):
    full_record(aw.branch_a1, 2025, range(1, 13))
    full_record(aw.branch_a2, 2025, range(1, 13))
    # Branch A2 skipped the committee meeting in May and the party lecture of Q3.
    Activity.objects.filter(
        organization=aw.branch_a2, kind=K.COMMITTEE_MEETING, starts_at__month=5
    ).delete()
    Activity.objects.filter(
        organization=aw.branch_a2, kind=K.PARTY_LECTURE, starts_at__month=9
    ).update(status=S.CANCELLED)
    report = cadence_report(user=aw.county_staff, year=2025, today=date(2026, 3, 1))
    rows = rows_by_name(report)
    good, bad = rows["东关社区党支部"], rows["西关社区党支部"]
    assert not good.behind
    assert [c.covered for c in good.cells] == [4, 12, 12, 4]
    assert [c.owed for c in good.cells] == [4, 12, 12, 4]
    assert bad.behind
    cells = {c.kind: c for c in bad.cells}
    assert cells[K.COMMITTEE_MEETING].missing == ["5月"]
    assert cells[K.PARTY_LECTURE].missing == ["第3季度"]
    assert report.rows[0].organization == aw.branch_a2  # the ones behind come first
    assert report.behind_count >= 1


def test_only_periods_that_are_over_are_owed(aw):
    full_record(aw.branch_a1, 2026, [1, 2, 3, 4])
    report = cadence_report(user=aw.staff_a, year=2026, today=date(2026, 5, 10))
    row = rows_by_name(report)["东关社区党支部"]
    assert [c.owed for c in row.cells] == [1, 4, 4, 1]
    assert not row.behind
    # A second quarterly general meeting in Q1 counts once towards Q1, not towards Q2.
    held(aw.branch_a1, K.GENERAL_MEETING, 2026, 2)
    report = cadence_report(user=aw.staff_a, year=2026, today=date(2026, 7, 2))
    cells = {c.kind: c for c in rows_by_name(report)["东关社区党支部"].cells}
    assert cells[K.GENERAL_MEETING].held == 2
    assert cells[K.GENERAL_MEETING].missing == ["第2季度"]


def test_planned_or_published_meetings_do_not_count_as_held(aw):
    held(aw.branch_a1, K.COMMITTEE_MEETING, 2025, 1, status=S.PUBLISHED)
    report = cadence_report(user=aw.staff_a, year=2025, today=date(2025, 2, 15))
    cells = {c.kind: c for c in rows_by_name(report)["东关社区党支部"].cells}
    assert cells[K.COMMITTEE_MEETING].missing == ["1月"]


def test_participation_elsewhere_is_credited_to_the_home_branch(aw):
    host_meeting = held(aw.host_branch, K.THEME_DAY, 2025, 6)
    Attendance.objects.create(
        activity=host_meeting,
        member=aw.member_hosted,
        participation="online",
        home_organization=aw.branch_a2,
    )
    own = held(aw.branch_a2, K.GENERAL_MEETING, 2025, 6)
    Attendance.objects.create(
        activity=own,
        member=aw.member_hosted,
        participation="in_person",
        home_organization=aw.branch_a2,
    )
    report = cadence_report(user=aw.staff_a, year=2025, today=date(2026, 1, 5))
    row = rows_by_name(report)["西关社区党支部"]
    assert (row.took_part, row.took_part_elsewhere) == (2, 1)


def test_the_report_is_scoped_and_filterable(aw):
    names = set(rows_by_name(cadence_report(user=aw.staff_a, year=2025)))
    assert names == {"东关社区党支部", "西关社区党支部"}  # not the temporary branch
    assert set(rows_by_name(cadence_report(user=aw.staff_b, year=2025))) == {"陵前村党支部"}
    county = cadence_report(user=aw.county_staff, year=2025, organization=aw.committee_b.pk)
    assert set(rows_by_name(county)) == {"陵前村党支部"}
    # Another committee's id from a committee's staff shows nothing, not that committee.
    assert cadence_report(user=aw.staff_a, year=2025, organization=aw.committee_b.pk).rows == []


def test_the_cadence_api_and_page(aw, client):
    full_record(aw.branch_a1, 2025, range(1, 13))
    body = client_for(aw.staff_a).get("/api/activities/cadence/?year=2025").json()
    by_id = {row["organization"]: row for row in body["results"]}
    assert by_id[aw.branch_a1.pk]["behind"] is False
    assert by_id[aw.branch_a2.pk]["behind"] is True
    assert by_id[aw.branch_a2.pk]["cadence"]["committee_meeting"]["missing"][0] == "1月"
    client.force_login(aw.staff_a)
    page = client.get("/staff/activities/cadence/?year=2025").content.decode()
    assert "落后支部" in page and 'class="is-behind"' in page
    assert page.index("西关社区党支部") < page.index("东关社区党支部")
