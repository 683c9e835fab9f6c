"""支委会 meetings are for the committee of their branch (members.BranchCommitteeSeat): the
members holding a seat see, reply to and are told of them; the rest of the branch is not;
a seat on another branch does not count; staff are unchanged."""

import pytest
from django.test import Client

from activities import services
from activities.audience import sheet_members
from activities.models import Activity
from members.models import BranchCommitteeSeat, Notice, NoticeRecipient
from tests.activities import factories as af
from tests.conftest import client_for
from tests.factories import login_staff

pytestmark = pytest.mark.django_db
K = Activity.Kind
S = Activity.Status


@pytest.fixture
def meeting(aw):
    """A1's committee meeting; member_a sits on A1's committee, member_a1b (also of A1)
    sits on A2's committee only."""
    BranchCommitteeSeat.objects.create(
        organization=aw.branch_a1, member=aw.member_a, role=BranchCommitteeSeat.Role.SECRETARY
    )
    BranchCommitteeSeat.objects.create(organization=aw.branch_a2, member=aw.member_a1b)
    return af.activity(aw.branch_a1, kind=K.COMMITTEE_MEETING, title="十二月支委会")


def listed_titles(user):
    return [row["title"] for row in client_for(user).get("/api/activities/").json()["results"]]


def test_a_committee_member_sees_and_replies_to_the_meeting_of_their_branch(aw, meeting):
    user = aw.member_a.user
    assert "十二月支委会" in listed_titles(user)
    client = client_for(user)
    assert client.get(f"/api/activities/{meeting.pk}/").status_code == 200
    url = f"/api/activities/{meeting.pk}/attendance/"
    assert client.post(url, {"status": "attending"}).json()["status"] == "attending"


def test_an_ordinary_member_of_the_branch_neither_sees_nor_replies(aw, meeting, client):
    user = aw.member_a1b.user  # of A1, with a seat on A2's committee only
    theme_day = af.activity(aw.branch_a1, title="主题党日")
    assert listed_titles(user) == ["主题党日"]
    api = client_for(user)
    detail = api.get(f"/api/activities/{meeting.pk}/")
    assert detail.status_code == 404 and "十二月支委会" not in detail.content.decode()
    url = f"/api/activities/{meeting.pk}/attendance/"
    assert api.post(url, {"status": "attending"}).status_code == 404
    login_staff(client, user, backend=None)  # the member web pages
    page = client.get("/activities/").content.decode()
    assert "主题党日" in page and "十二月支委会" not in page
    assert client.get(f"/activities/{meeting.pk}/").status_code == 404
    assert client.get(f"/activities/{theme_day.pk}/").status_code == 200


def test_a_seat_on_another_branch_does_not_help(aw, meeting):
    """member_a keeps their seat on A1's committee after moving to A2: A2's committee
    meeting is not theirs (nor A2's ordinary members'), and A1's is no longer in reach."""
    af.activity(aw.branch_a2, kind=K.COMMITTEE_MEETING, title="A2支委会")
    af.activity(aw.branch_a2, title="A2主题党日")
    assert listed_titles(aw.member_hosted.user) == ["A2主题党日"]
    aw.member_a.organization = aw.branch_a2
    aw.member_a.save(update_fields=["organization"])
    assert listed_titles(aw.member_a.user) == ["A2主题党日"]
    assert client_for(aw.member_a.user).get(f"/api/activities/{meeting.pk}/").status_code == 404


def test_staff_see_the_meeting_as_before(aw, meeting):
    assert client_for(aw.staff_a).get(f"/api/activities/{meeting.pk}/").status_code == 200
    assert client_for(aw.county_staff).get(f"/api/activities/{meeting.pk}/").status_code == 200
    assert client_for(aw.staff_b).get(f"/api/activities/{meeting.pk}/").status_code == 404


def test_only_the_committee_is_notified_and_on_the_sheet(aw, meeting):
    draft = af.activity(
        aw.branch_a1, kind=K.COMMITTEE_MEETING, status=S.PLANNED, title="一月支委会"
    )
    services.activity_publish(user=aw.staff_a, activity=draft)
    notice = Notice.objects.get()
    assert notice.audience == Notice.Audience.USERS
    assert set(NoticeRecipient.objects.values_list("user_id", flat=True)) == {aw.member_a.user_id}
    assert set(sheet_members(draft)) == {aw.member_a}


def test_a_branch_without_seats_gets_no_notice_for_its_committee_meeting(aw):
    draft = af.activity(aw.branch_b1, kind=K.COMMITTEE_MEETING, status=S.PLANNED)
    services.activity_publish(user=aw.county_staff, activity=draft)
    assert not Notice.objects.exists()


def test_staff_record_seats_in_the_admin_within_their_scope(aw, meeting, client):
    client.force_login(aw.staff_a, backend="members.backends.StaffBackend")
    url = "/admin/members/branchcommitteeseat/add/"
    seat = {"organization": aw.branch_a1.pk, "role": "publicity", "since": "2026-01-05"}
    added = client.post(url, {**seat, "member": aw.member_a1b.pk})
    assert added.status_code == 302
    assert BranchCommitteeSeat.objects.get(member=aw.member_a1b, organization=aw.branch_a1)
    elsewhere = client.post(url, {**seat, "member": aw.member_hosted.pk})
    assert "支部委员须是本支部的党员" in elsewhere.content.decode()
    outside = client.post(url, {**seat, "organization": aw.branch_b1.pk, "member": aw.member_b.pk})
    assert outside.status_code == 200
    assert not BranchCommitteeSeat.objects.filter(member__in=[aw.member_hosted, aw.member_b])
    assert "钱七" in client.get("/admin/members/branchcommitteeseat/").content.decode()
    client.force_login(aw.staff_b, backend="members.backends.StaffBackend")
    assert "张三" not in client.get("/admin/members/branchcommitteeseat/").content.decode()
    client.force_login(aw.member_a.user)
    assert client.get("/admin/members/branchcommitteeseat/").status_code in (302, 403)


def test_the_meeting_page_names_the_committee_as_its_audience(aw, meeting, client):
    login_staff(client, aw.member_a.user, backend=None)
    page = client.get(f"/activities/{meeting.pk}/").content.decode()
    assert "本支部支委会成员" in page and "本组织党员" not in page
    staff = login_staff(Client(), aw.staff_a)
    assert "本支部支委会成员" in staff.get(f"/staff/activities/{meeting.pk}/").content.decode()


def test_the_admin_list_names_the_committee_as_the_meetings_audience(aw, meeting):
    admin = login_staff(Client(), aw.county_staff)
    page = admin.get("/admin/activities/activity/").content.decode()
    assert "十二月支委会" in page and "本支部支委会成员" in page
