"""The attendance life: reply, change the reply, excused needs a reason, no reply after
cancellation; participation recorded by staff and credited to the home branch; study."""

from datetime import timedelta

import pytest
from django.http import Http404

from activities import services
from activities.models import Activity, Attendance
from members.models import Member
from sanyuan.errors import ServiceError, StateConflict
from tests.activities import factories as af

pytestmark = pytest.mark.django_db
AS = Attendance.Status
P = Attendance.Participation
S = Activity.Status


def test_a_member_replies_attending_then_changes_to_excused_with_a_reason(aw):
    activity = af.activity(aw.branch_a1)
    user = aw.member_a.user
    services.attendance_reply(user=user, activity=activity, status=AS.ATTENDING)
    services.attendance_reply(
        user=user, activity=activity, status=AS.EXCUSED, reason="在西安工地加班"
    )
    row = Attendance.objects.get()
    assert (row.status, row.reason) == (AS.EXCUSED, "在西安工地加班")
    assert row.home_organization == aw.branch_a1
    services.attendance_reply(user=user, activity=activity, status=AS.ATTENDING, reason="x")
    row.refresh_from_db()
    assert (row.status, row.reason) == (AS.ATTENDING, "")
    assert Attendance.objects.count() == 1


def test_being_excused_needs_a_reason(aw):
    activity = af.activity(aw.branch_a1)
    with pytest.raises(ServiceError) as exc:
        services.attendance_reply(
            user=aw.member_a.user, activity=activity, status=AS.EXCUSED, reason="  "
        )
    assert exc.value.field == "reason" and "事由" in exc.value.message
    assert not Attendance.objects.exists()


def test_an_unknown_reply_is_refused(aw):
    activity = af.activity(aw.branch_a1)
    with pytest.raises(ServiceError) as exc:
        services.attendance_reply(user=aw.member_a.user, activity=activity, status="maybe")
    assert exc.value.field == "status"


def test_no_reply_after_cancellation(aw):
    activity = af.activity(aw.branch_a1)
    services.attendance_reply(user=aw.member_a.user, activity=activity, status=AS.ATTENDING)
    services.activity_cancel(user=aw.staff_a, activity=activity, reason="改期")
    with pytest.raises(StateConflict) as exc:
        services.attendance_reply(
            user=aw.member_a.user, activity=activity, status=AS.EXCUSED, reason="有事"
        )
    assert "取消" in exc.value.message
    assert Attendance.objects.get().status == AS.ATTENDING


def test_no_reply_once_the_activity_is_over(aw):
    over = af.activity(aw.branch_a1, starts_in=timedelta(hours=-5))  # still "published"
    with pytest.raises(StateConflict):
        services.attendance_reply(user=aw.member_a.user, activity=over, status=AS.ATTENDING)


def test_members_outside_the_audience_and_staff_cannot_reply(aw):
    activity = af.activity(aw.branch_b1)
    with pytest.raises(Http404):
        services.attendance_reply(user=aw.member_a.user, activity=activity, status=AS.ATTENDING)
    with pytest.raises(Http404):
        services.attendance_reply(user=aw.staff_b, activity=activity, status=AS.ATTENDING)


def test_staff_record_participation_credited_to_the_home_branch(aw):
    activity = af.activity(aw.host_branch, starts_in=timedelta(hours=-3))
    touched_before = Member.objects.get(pk=aw.member_hosted.pk).last_attended_at
    assert touched_before is None
    changed = services.participation_record(
        user=aw.host_staff, activity=activity, entries={aw.member_hosted.pk: P.ONLINE}
    )
    assert changed == 1
    activity.refresh_from_db()
    assert activity.status == S.HELD  # recording participation marks it held
    row = Attendance.objects.get()
    assert row.participation == P.ONLINE
    assert row.home_organization == aw.branch_a2  # credited to the home branch
    assert row.participation_recorded_by == aw.host_staff
    assert Member.objects.get(pk=aw.member_hosted.pk).last_attended_at == activity.starts_at
    # The home organisation stays as it was at the time, even if the member moves later.
    Member.objects.filter(pk=aw.member_hosted.pk).update(organization=aw.branch_a1)
    row.refresh_from_db()
    assert row.home_organization == aw.branch_a2


def test_recording_keeps_replies_and_can_be_undone(aw):
    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=-1))
    af.reply(activity, aw.member_a1b, AS.EXCUSED, reason="出差")
    services.participation_record(
        user=aw.staff_a,
        activity=activity,
        entries={aw.member_a.pk: P.IN_PERSON, aw.member_a1b.pk: P.ONLINE},
    )
    rows = {r.member_id: r for r in Attendance.objects.all()}
    assert rows[aw.member_a1b.pk].status == AS.EXCUSED  # the reply is kept
    assert rows[aw.member_a1b.pk].participation == P.ONLINE
    assert rows[aw.member_a.pk].status == "" and rows[aw.member_a.pk].participation == P.IN_PERSON
    services.participation_record(user=aw.staff_a, activity=activity, entries={aw.member_a.pk: ""})
    assert Attendance.objects.get(member=aw.member_a).participation == ""


def test_participation_is_refused_before_the_start_after_cancellation_and_for_outsiders(aw):
    upcoming = af.activity(aw.branch_a1)
    with pytest.raises(StateConflict):
        services.participation_record(
            user=aw.staff_a, activity=upcoming, entries={aw.member_a.pk: P.IN_PERSON}
        )
    cancelled = af.activity(aw.branch_a1, status=S.CANCELLED, starts_in=timedelta(hours=-2))
    with pytest.raises(StateConflict):
        services.participation_record(
            user=aw.staff_a, activity=cancelled, entries={aw.member_a.pk: P.IN_PERSON}
        )
    held = af.past(aw.branch_a1)
    with pytest.raises(ServiceError) as exc:
        services.participation_record(
            user=aw.staff_a, activity=held, entries={aw.member_b.pk: P.IN_PERSON}
        )
    assert exc.value.field == "entries"
    with pytest.raises(ServiceError):
        services.participation_record(
            user=aw.staff_a, activity=held, entries={aw.member_a.pk: "teleported"}
        )
    with pytest.raises(Http404):
        services.participation_record(
            user=aw.staff_b, activity=held, entries={aw.member_a.pk: P.IN_PERSON}
        )
    assert not Attendance.objects.exists()


def test_members_confirm_study_once_there_are_materials(aw):
    activity = af.past(aw.branch_a1)
    with pytest.raises(StateConflict):
        services.attendance_confirm_study(user=aw.member_a.user, activity=activity)
    services.material_add(
        user=aw.staff_a,
        activity=activity,
        kind="minutes",
        title="会议纪要",
        body="<p>会议学习了党章。</p>",
    )
    row = services.attendance_confirm_study(user=aw.member_a.user, activity=activity)
    first = row.studied_at
    assert first is not None and row.home_organization == aw.branch_a1
    assert Member.objects.get(pk=aw.member_a.pk).last_studied_at == first
    again = services.attendance_confirm_study(user=aw.member_a.user, activity=activity)
    assert again.studied_at == first
    with pytest.raises(Http404):
        services.attendance_confirm_study(user=aw.member_b.user, activity=activity)
