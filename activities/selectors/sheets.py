"""The attendance sheet of one activity (staff): who replied attending, who was excused and
why, who did not reply, who took part; and the same rows for the Excel export."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Q

from members.models import Member

from .. import permissions
from ..audience import sheet_members
from ..models import Activity, Attendance

AS = Attendance.Status

SHOW_CHOICES = {
    "all": "全部",
    "attending": "报名参加",
    "excused": "请假",
    "no_reply": "未回复",
    "took_part": "实际参加",
}


@dataclass
class SheetEntry:
    member: Member
    row: Attendance | None

    @property
    def status(self) -> str:
        return self.row.status if self.row else ""


@dataclass
class AttendanceSheet:
    activity: Activity
    show: str
    counts: dict
    page: object  # django Paginator page of SheetEntry


def _replied(activity: Activity):
    return Attendance.objects.filter(activity_id=activity.pk).exclude(status="").values("member_id")


def _members_for(activity: Activity, show: str, members=None):
    members = sheet_members(activity) if members is None else members
    rows = Attendance.objects.filter(activity_id=activity.pk)
    if show in (AS.ATTENDING, AS.EXCUSED):
        members = members.filter(pk__in=rows.filter(status=show).values("member_id"))
    elif show == "no_reply":
        members = members.exclude(pk__in=_replied(activity))
    elif show == "took_part":
        members = members.filter(pk__in=rows.exclude(participation="").values("member_id"))
    return members


def attendance_counts(activity: Activity, members=None) -> dict:
    counts = Attendance.objects.filter(activity_id=activity.pk).aggregate(
        attending=Count("pk", filter=Q(status=AS.ATTENDING)),
        excused=Count("pk", filter=Q(status=AS.EXCUSED)),
        took_part=Count("pk", filter=~Q(participation="")),
        online=Count("pk", filter=Q(participation=Attendance.Participation.ONLINE)),
        studied=Count("pk", filter=Q(studied_at__isnull=False)),
    )
    members = sheet_members(activity) if members is None else members
    counts["no_reply"] = _members_for(activity, "no_reply", members).count()
    counts["all"] = members.count()
    return counts


def attendance_sheet(
    *, user, activity: Activity, show: str = "all", page: int | str = 1, per_page: int = 100
) -> AttendanceSheet:
    permissions.check_manage_activity_permission(user, activity)
    show = show if show in SHOW_CHOICES else "all"
    everyone = sheet_members(activity)
    members = (
        _members_for(activity, show, everyone)
        .select_related("organization", "host_organization")
        .order_by("organization__path", "name", "pk")
    )
    page_obj = Paginator(members, per_page).get_page(page)
    ids = [m.pk for m in page_obj.object_list]
    rows = {
        row.member_id: row
        for row in Attendance.objects.filter(
            activity_id=activity.pk, member_id__in=ids
        ).select_related("home_organization")
    }
    page_obj.object_list = [SheetEntry(member=m, row=rows.get(m.pk)) for m in page_obj.object_list]
    return AttendanceSheet(
        activity=activity, show=show, counts=attendance_counts(activity, everyone), page=page_obj
    )


def attendance_export_rows(*, user, activity: Activity) -> Iterator[SheetEntry]:
    """Every row of the sheet, streamed in chunks (for the Excel export)."""
    permissions.check_manage_activity_permission(user, activity)
    rows = {
        row.member_id: row
        for row in Attendance.objects.filter(activity_id=activity.pk).select_related(
            "home_organization"
        )
    }
    members = (
        sheet_members(activity)
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )
    for member in members.iterator(chunk_size=2000):
        yield SheetEntry(member=member, row=rows.get(member.pk))
