"""The attendance sheet lists every invitee; those without an account are marked
未激活（短信通知）and the staff who reached them record their reply (代为登记): scoped,
audited, refused for members who reply themselves and once the activity is over."""

import io
from datetime import timedelta

import pytest
from django.http import Http404
from django.test import Client
from openpyxl import load_workbook

from activities.models import Attendance
from activities.services import attendance_reply, attendance_reply_for_member
from members.models import AuditEvent, User
from sanyuan.errors import ServiceError, StateConflict
from tests.activities import factories as af
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(aw):
    """A meeting of branch A2: 李四 has no account, 赵六 (hosted elsewhere) has one."""
    aw.meeting = af.activity(aw.branch_a2, title="西关社区主题党日", starts_in=timedelta(days=2))
    return aw


def test_staff_record_the_reply_of_an_invitee_without_an_account(meeting):
    w = meeting
    row = attendance_reply_for_member(
        user=w.staff_a,
        activity=w.meeting,
        member_id=w.member_a2.pk,
        status="excused",
        reason="在工地上夜班",
        ip="10.0.0.9",
    )
    assert (row.status, row.reason, row.reply_recorded_by) == ("excused", "在工地上夜班", w.staff_a)
    event = AuditEvent.objects.get(action="activity.reply_by_staff")
    assert event.actor == w.staff_a and event.detail == {
        "member": w.member_a2.pk,
        "reply": "excused",
    }
    assert event.target_id == str(w.meeting.pk)


def test_members_with_an_account_reply_themselves(meeting):
    w = meeting
    with pytest.raises(StateConflict, match="已激活账号"):
        attendance_reply_for_member(
            user=w.staff_a, activity=w.meeting, member_id=w.member_hosted.pk, status="attending"
        )
    assert not Attendance.objects.exists()


def test_outside_the_scope_or_the_invitees_is_not_found(meeting):
    w = meeting
    with pytest.raises(Http404):
        attendance_reply_for_member(
            user=w.staff_b, activity=w.meeting, member_id=w.member_a2.pk, status="attending"
        )
    with pytest.raises(Http404):  # member_b is not invited to branch A2's meeting
        attendance_reply_for_member(
            user=w.county_staff, activity=w.meeting, member_id=w.member_b.pk, status="attending"
        )
    with pytest.raises(ServiceError, match="请假需要填写事由"):
        attendance_reply_for_member(
            user=w.staff_a, activity=w.meeting, member_id=w.member_a2.pk, status="excused"
        )


def test_no_reply_is_recorded_once_the_activity_is_over(meeting):
    w = meeting
    over = af.activity(w.branch_a2, starts_in=timedelta(hours=-5), hours=2)
    with pytest.raises(StateConflict, match="已结束"):
        attendance_reply_for_member(
            user=w.staff_a, activity=over, member_id=w.member_a2.pk, status="attending"
        )


def test_a_reply_of_the_member_after_activating_replaces_the_recorded_one(meeting):
    w = meeting
    attendance_reply_for_member(
        user=w.staff_a, activity=w.meeting, member_id=w.member_a2.pk, status="attending"
    )
    user = User.objects.create_user(username=f"member-{w.member_a2.pk}")
    w.member_a2.user = user
    w.member_a2.save(update_fields=["user"])
    row = attendance_reply(user=user, activity=w.meeting, status="excused", reason="临时加班")
    assert row.reply_recorded_by is None and row.status == "excused"


def test_the_sheet_marks_invitees_without_an_account_and_offers_to_record(meeting):
    w = meeting
    client = login_staff(Client(), w.staff_a)
    url = f"/staff/activities/{w.meeting.pk}/attendance/"
    page = client.get(url).content.decode()
    assert page.count("未激活（短信通知）</span>") == 1  # 李四 only; 赵六 has an account
    assert f'id="reply-{w.member_a2.pk}"' in page and f'id="reply-{w.member_hosted.pk}"' not in page
    response = client.post(
        f"{url}reply/", {"member": w.member_a2.pk, "status": "attending", "back": "show=all"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?show=all")
    page = client.get(url).content.decode()
    assert "已为李四登记回复：参加。" in page and "（代登记）" in page
    refused = client.post(f"{url}reply/", {"member": w.member_hosted.pk, "status": "attending"})
    assert "已激活账号" in client.get(refused["Location"]).content.decode()


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("county", 302),  # recorded, back to the sheet
        ("committee_a", 302),
        ("committee_b", 404),  # another committee's activity
        ("host", 404),  # host staff do not manage the home branch's activities
        ("member", 403),
        ("anonymous", 302),  # to the login page
    ],
)
def test_the_reply_page_answers_every_principal(meeting, principal, expected):
    w = meeting
    url = f"/staff/activities/{w.meeting.pk}/attendance/reply/"
    data = {"member": w.member_a2.pk, "status": "attending"}
    staff = {
        "county": w.county_staff,
        "committee_a": w.staff_a,
        "committee_b": w.staff_b,
        "host": w.host_staff,
    }
    client = Client()
    if principal in staff:
        login_staff(client, staff[principal])
    elif principal == "member":
        client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    response = client.post(url, data)
    assert response.status_code == expected
    recorded = Attendance.objects.filter(member=w.member_a2, reply_recorded_by__isnull=False)
    assert recorded.exists() == (principal in ("county", "committee_a"))
    if principal == "anonymous":
        assert "/accounts/login/" in response["Location"]


def test_the_export_says_who_has_an_account_and_who_recorded_the_reply(meeting):
    w = meeting
    attendance_reply_for_member(
        user=w.staff_a, activity=w.meeting, member_id=w.member_a2.pk, status="excused", reason="病"
    )
    response = login_staff(Client(), w.staff_a).get(
        f"/staff/activities/{w.meeting.pk}/attendance.xlsx"
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    data = {row[0]: row for row in rows[4:]}
    assert data["李四"][2:4] == ("未激活（短信通知）", "请假（工作人员代登记）")
    assert data["赵六"][2:4] == ("已激活", "未回复")
