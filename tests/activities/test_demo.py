"""The demo year: held activities with minutes and attendance, upcoming ones published,
some branches behind on 三会一课."""

import random

import pytest
from django.utils import timezone

from activities import demo
from activities.models import Activity, ActivityMaterial, Attendance
from activities.selectors import cadence_report
from members import demo as members_demo
from members.models import Notice, Organization, User

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_realistic_year_once():
    members_demo.seed(rng=random.Random(7), members=120)
    lines = demo.seed(rng=random.Random(7), members=120)
    assert "组织活动" in lines[0]
    now = timezone.now()
    held = Activity.objects.filter(status="held")
    assert held.exists() and not held.filter(starts_at__gt=now).exists()
    assert Activity.objects.filter(status="published", starts_at__gt=now).exists()
    assert set(Activity.objects.values_list("kind", flat=True)) == set(Activity.Kind.values)
    minutes = ActivityMaterial.objects.filter(kind="minutes").select_related("activity").first()
    assert minutes.activity.status == "held" and "会议内容" in minutes.body
    assert minutes.created_at == minutes.activity.ends_at
    assert Attendance.objects.filter(status="excused").exclude(reason="").exists()
    assert Attendance.objects.filter(participation="online").exists()
    assert Notice.objects.filter(kind="activity").exists()
    # The fixed demo member sees activities of their branch, their temporary branch and host.
    from members.identity import normalize_id_number
    from sanyuan.crypto import keyed_hash

    digest = keyed_hash(
        normalize_id_number(members_demo.ACTIVE_MEMBER.id_number), purpose="id_number"
    )
    active = User.objects.get(member__id_number_hash=digest)
    from activities.permissions import filter_activities_visible_to

    organisations = set(
        filter_activities_visible_to(active).values_list("organization__kind", flat=True)
    )
    assert {"branch", "temporary_branch", "host"} <= organisations
    county_staff = User.objects.get(username="county_admin")
    report = cadence_report(user=county_staff, year=timezone.localdate().year)
    assert 0 < report.behind_count < len(report.rows)
    assert Organization.objects.filter(kind="temporary_branch").count() == 1
    # Seeding again adds nothing.
    count = Activity.objects.count()
    assert "未重复" in demo.seed(rng=random.Random(7), members=120)[0]
    assert Activity.objects.count() == count
