"""Members' replies, staff records of who took part, and confirmations of study."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from members import permissions as member_permissions
from members.models import Member, User
from members.services.archive import member_engagement_touch
from members.services.audit import audit_record
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.inputs import parse_int

from .. import permissions
from ..audience import sheet_members
from ..models import Activity, Attendance
from .lifecycle import _locked, _mark_held

S = Activity.Status
P = Attendance.Participation


def _member(user: User) -> Member:
    member = member_permissions.member_of(user)
    if member is None:
        raise ServiceError("请使用党员账号操作。")
    return member


@transaction.atomic
def attendance_reply(
    *, user: User, activity: Activity, status: str, reason: str = ""
) -> Attendance:
    """The member attends, or is excused with a reason (请假). A new reply replaces the
    old one. 404 outside the audience; 409 once the activity is cancelled, held or over."""
    permissions.check_reply_to_activity_permission(user, activity)
    return _reply(activity, _member(user), status, reason, recorded_by=None)


def _clean_reply(status: str, reason: str) -> str:
    if status not in Attendance.Status.values:
        raise ServiceError("请选择参加或请假。", field="status")
    reason = (reason or "").strip()
    if status == Attendance.Status.EXCUSED and not reason:
        raise ServiceError("请假需要填写事由。", field="reason")
    if len(reason) > 200:
        raise ServiceError("请假事由不能超过200个字。", field="reason")
    return reason if status == Attendance.Status.EXCUSED else ""


def _reply(activity: Activity, member: Member, status, reason, *, recorded_by) -> Attendance:
    reason = _clean_reply(status, reason)
    # The lock orders a reply after a concurrent cancellation, never beside it.
    locked = _locked(activity)
    if locked.status == S.CANCELLED:
        raise StateConflict("活动已取消，不能再回复。")
    if locked.status != S.PUBLISHED or locked.ends_at <= timezone.now():
        raise StateConflict("活动已结束，不能再回复。")
    values = {
        "status": status,
        "reason": reason,
        "replied_at": timezone.now(),
        "reply_recorded_by": recorded_by,
    }
    row, _ = Attendance.objects.update_or_create(
        activity=locked,
        member=member,
        defaults=values,
        create_defaults={**values, "home_organization_id": member.organization_id},
    )
    return row


@transaction.atomic
def attendance_reply_for_member(
    *, user: User, activity: Activity, member_id: int, status: str, reason: str = "", ip=None
) -> Attendance:
    """Staff record the reply of an invitee without an account (reached by SMS or a call):
    the row says who recorded it; audited. 404 outside the staff member's scope or the
    activity's invitees; 409 for a member with an account (they reply themselves) and, as
    for members, once the activity is cancelled, held or over."""
    permissions.check_manage_activity_permission(user, activity)
    member = sheet_members(activity).filter(pk=parse_int(member_id) or 0).first()
    if member is None:
        raise Http404
    if not permissions.can_record_reply_for(user, activity, member):
        raise StateConflict(f"{member.name}已激活账号，请由本人在流动e家回复。")
    row = _reply(activity, member, status, reason, recorded_by=user)
    audit_record(
        actor=user,
        action="activity.reply_by_staff",
        target=activity,
        ip=ip,
        detail={"member": member.pk, "reply": status},
    )
    return row


@transaction.atomic
def attendance_confirm_study(*, user: User, activity: Activity) -> Attendance:
    """The member confirms having studied the activity's materials (also those who were
    excused: 补学)."""
    permissions.check_reply_to_activity_permission(user, activity)
    member = _member(user)
    if activity.status == S.CANCELLED:
        raise StateConflict("活动已取消。")
    if not activity.materials.exists():
        raise StateConflict("本次活动还没有学习资料。")
    now = timezone.now()
    row, created = Attendance.objects.get_or_create(
        activity=activity,
        member=member,
        defaults={"studied_at": now, "home_organization_id": member.organization_id},
    )
    if not created and row.studied_at is None:
        row.studied_at = now
        row.save(update_fields=["studied_at", "updated_at"])
    member_engagement_touch(member_id=member.pk, studied_at=now)
    return row


@transaction.atomic
def participation_record(*, user: User, activity: Activity, entries: dict[int, str]) -> int:
    """Staff record who took part: {member id: "in_person" | "online" | ""} ("" = did not).

    An activity not yet marked held is marked held first (it must have started). The row
    keeps the member's home organisation at this moment, so participation at a host
    organisation, in a temporary branch or online counts for the home branch. Returns the
    number of rows changed."""
    permissions.check_manage_activity_permission(user, activity)
    locked = _locked(activity)
    if locked.status == S.CANCELLED:
        raise StateConflict("活动已取消，不能登记参加情况。")
    if locked.status != S.HELD:
        _mark_held(locked)
    if any(mode not in ("", *P.values) for mode in entries.values()):
        raise ServiceError("参加方式无效。", field="entries")
    ids = {int(pk) for pk in entries}
    members = {
        m.pk: m for m in sheet_members(locked).filter(pk__in=ids).only("pk", "organization_id")
    }
    if len(members) != len(ids):
        raise ServiceError("名单中有不属于本次活动参加对象的党员。", field="entries")
    rows = {
        row.member_id: row for row in Attendance.objects.filter(activity=locked, member_id__in=ids)
    }
    now = timezone.now()
    changed, created = [], []
    for member_id, mode in entries.items():
        member_id = int(member_id)
        row = rows.get(member_id)
        if row is None:
            if not mode:
                continue
            row = Attendance(
                activity=locked,
                member_id=member_id,
                home_organization_id=members[member_id].organization_id,
            )
            created.append(row)
        elif row.participation == mode:
            continue
        else:
            changed.append(row)
        row.participation = mode
        row.participation_recorded_at = now
        row.participation_recorded_by = user
        row.updated_at = now
        if mode:
            row.home_organization_id = members[member_id].organization_id
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(
        changed,
        [
            "participation",
            "participation_recorded_at",
            "participation_recorded_by",
            "home_organization",
            "updated_at",
        ],
    )
    for row in (*created, *changed):
        if row.participation:
            member_engagement_touch(member_id=row.member_id, attended_at=locked.starts_at)
    return len(created) + len(changed)
