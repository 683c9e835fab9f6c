"""The admin: scoped lists, writes through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, ActivityMaterial, Attendance
from tests.activities import factories as af
from tests.factories import login_staff

pytestmark = pytest.mark.django_db
S = Activity.Status


@pytest.fixture
def staff_client(client):
    def login(user):
        login_staff(client, user)
        return client

    return login


def test_committee_staff_see_only_their_activities_materials_and_attendance(aw, staff_client):
    mine = af.past(aw.branch_a1, title="东关支委会")
    theirs = af.past(aw.branch_b1, title="陵前支委会")
    af.reply(mine, aw.member_a, reason="")
    af.reply(theirs, aw.member_b, reason="")
    ActivityMaterial.objects.create(activity=theirs, kind="minutes", title="陵前纪要", body="x")
    client = staff_client(aw.staff_a)
    body = client.get("/admin/activities/activity/").content.decode()
    assert "东关支委会" in body and "陵前支委会" not in body
    assert "陵前纪要" not in client.get("/admin/activities/activitymaterial/").content.decode()
    attendance = client.get("/admin/activities/attendance/").content.decode()
    assert "张三" in attendance and "王五" not in attendance
    response = client.get(f"/admin/activities/activity/{theirs.pk}/change/")
    assert response.status_code in (302, 404) and "陵前支委会" not in response.content.decode()


def test_staff_create_an_activity_in_the_admin_through_the_service(aw, staff_client):
    client = staff_client(aw.staff_a)
    start = timezone.localtime() + timedelta(days=3)
    form = {
        "organization": aw.branch_a1.pk,
        "kind": "committee_meeting",
        "title": "十二月支委会",
        "audience": "organization",
        "starts_at_0": f"{start:%Y-%m-%d}",
        "starts_at_1": "09:00:00",
        "ends_at_0": f"{start:%Y-%m-%d}",
        "ends_at_1": "10:30:00",
        "place": "支部活动室",
        "online_url": "",
    }
    response = client.post("/admin/activities/activity/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    assert activity.created_by == aw.staff_a and activity.status == S.PLANNED
    outside = client.post(
        "/admin/activities/activity/add/",
        {**form, "organization": aw.branch_b1.pk, "title": "越权"},
    )
    assert outside.status_code == 200 and not Activity.objects.filter(title="越权").exists()
    insecure = client.post(
        "/admin/activities/activity/add/",
        {**form, "online_url": "http://x.example", "title": "不安全"},
    )
    assert "https://" in insecure.content.decode()
    assert not Activity.objects.filter(title="不安全").exists()


def test_the_publish_action_calls_the_service(aw, staff_client):
    draft = af.activity(aw.branch_a1, status=S.PLANNED)
    client = staff_client(aw.staff_a)
    client.post(
        "/admin/activities/activity/",
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == S.PUBLISHED
    from members.models import Notice

    assert Notice.objects.filter(kind="activity").count() == 1


def test_members_cannot_use_the_activities_admin(aw, client):
    client.force_login(aw.member_a.user, backend="members.backends.MemberBackend")
    response = client.get("/admin/activities/activity/")
    assert response.status_code in (302, 403)


def test_attendance_is_read_only_in_the_admin(aw, staff_client):
    activity = af.past(aw.branch_a1)
    row = af.reply(activity, aw.member_a)
    client = staff_client(aw.staff_a)
    client.post(f"/admin/activities/attendance/{row.pk}/change/", {"status": "excused"})
    assert Attendance.objects.get().status == "attending"
