"""The demo county tells the truth: what the dashboard and the pages say follows from the
seeded rows (attendance → last-attended dates → 本季度参加组织活动), statuses and
destinations agree (nobody both 已返乡 and hosted in Shenzhen), only members with an account
reply, study and post, and every archive has its first history record."""

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.test import Client
from django.utils import timezone

from activities.models import Attendance
from forum.models import Post
from learning.models import StudyRecord
from members import demo
from members.identity import normalize_id_number
from members.models import Hosting, Member, Organization, TemporaryBranchMembership, User
from members.selectors.stats import stats_overview
from sanyuan.crypto import keyed_hash
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


def _empty_database() -> None:
    """Every table emptied, then the reference data the migrations load put back."""
    import importlib

    from django.apps import apps

    call_command("flush", "--no-input", verbosity=0)
    importlib.import_module("members.migrations.0005_load_regions").load(apps, None)


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    """One seeded county for the module's tests (seeding takes a while), committed, and
    removed afterwards; each test still runs in its own transaction on top of it."""
    with django_db_blocker.unblock():
        if Member.objects.exists():  # left by an interrupted run with --reuse-db
            _empty_database()
        call_command("seed_demo", "--members", "80", "--seed", "17", verbosity=0)
        yield
        _empty_database()


def active_member() -> Member:
    digest = keyed_hash(normalize_id_number(demo.ACTIVE_MEMBER.id_number), purpose="id_number")
    return Member.objects.get(id_number_hash=digest)


def test_wang_jianjun_is_away_in_shenzhen_and_reported_there(county):
    member = active_member()
    host = Organization.objects.get(code="HOST-440300")
    assert member.get_status_display() == "外出流动"
    assert (member.destination_province, member.destination_city) == ("440000", "440300")
    assert member.host_organization == host and member.user_id is not None
    assert Hosting.objects.filter(member=member, host_organization=host, status="accepted")


def test_statuses_destinations_and_hosting_agree(county):
    host = Organization.objects.get(code="HOST-440300")
    hosted = Member.objects.filter(host_organization__isnull=False)
    assert hosted.exists()
    assert not hosted.exclude(status="away").exists()
    assert not hosted.exclude(destination_city="440300").exists()
    assert set(hosted.values_list("host_organization", flat=True)) == {host.pk}
    accepted = set(Hosting.objects.filter(status="accepted").values_list("member", flat=True))
    assert accepted == set(hosted.values_list("pk", flat=True))
    waiting = Member.objects.filter(hostings__status="pending")
    assert not waiting.exclude(status="away").exists()
    gone = Member.objects.exclude(status="away")
    assert not TemporaryBranchMembership.objects.filter(member__in=gone, left_at__isnull=True)


def test_last_attended_dates_follow_the_attendance(county):
    took_part = dict(
        Attendance.objects.exclude(participation="")
        .values("member")
        .annotate(last=Max("activity__starts_at"))
        .values_list("member", "last")
    )
    assert took_part
    for pk, last in Member.objects.values_list("pk", "last_attended_at"):
        assert last == took_part.get(pk), pk
    studied = dict(
        Attendance.objects.exclude(studied_at=None)
        .values("member")
        .annotate(last=Max("studied_at"))
        .values_list("member", "last")
    )
    for pk, last in Member.objects.filter(pk__in=studied).values_list("pk", "last_studied_at"):
        assert last is not None and last >= studied[pk]


def test_the_dashboard_counts_who_attended_this_quarter(county):
    overview = stats_overview(user=User.objects.get(username="county_admin"))
    today = timezone.localdate()
    quarter = today.replace(day=1, month=(today.month - 1) // 3 * 3 + 1)
    attended = (
        Attendance.objects.exclude(participation="")
        .filter(activity__starts_at__date__gte=quarter)
        .values("member")
        .distinct()
        .count()
    )
    # Meetings are held from the 3rd of each month: early in a quarter nobody attended yet.
    assert attended > 0 or (today - quarter).days < 12
    assert overview.yes_count("attended_quarter") == attended


def test_only_members_with_an_account_reply_study_and_post(county):
    without = Member.objects.filter(user__isnull=True)
    assert without.exists() and Member.objects.filter(user__isnull=False).exists()
    replies = Attendance.objects.filter(member__in=without).exclude(status="")
    assert not replies.filter(reply_recorded_by__isnull=True).exists()
    assert not Attendance.objects.filter(member__in=without, studied_at__isnull=False).exists()
    assert not StudyRecord.objects.filter(member__in=without).exists()
    assert not Post.objects.filter(author_member__in=without).exists()


def test_every_archive_has_its_first_record_and_the_workbench_has_work(county):
    history = Member.history.model.objects
    assert not Member.objects.exclude(pk__in=history.values("id")).exists()
    first = history.filter(history_type="+").order_by("history_id").first()
    assert first.history_date == Member.objects.get(pk=first.id).created_at
    page = login_staff(Client(), User.objects.get(username="county_admin")).get("/staff/")
    assert "待审核的档案修改申请" in page.content.decode()


def test_the_demo_mindset_figures_equal_their_drill_downs(county):
    """思想状况 on the demo county: not empty, every bar's count is its drill-down list, and
    the quarterly trend has a history."""
    from tests.conftest import client_for

    staff = User.objects.get(username="county_admin")
    api = client_for(staff)
    body = api.get("/api/stats/overview/").json()
    items = body["figures"]["mindset"]["items"]
    assert {item["key"] for item in items} >= {"positive", "stable", "needs_care", "never"}
    for item in [*items, {"key": "yes", "count": body["engagement"]["mindset_stale"]["count"]}]:
        dimension = "mindset_stale" if item["key"] == "yes" else "mindset"
        listed = api.get(f"/api/members/?dimension={dimension}&key={item['key']}&page_size=100")
        assert listed.json()["count"] == item["count"], item
    assert body["engagement"]["mindset_stale"]["count"] > 0
    assert sum(1 for quarter in body["mindset_trend"] if quarter["assessed"]) >= 4
