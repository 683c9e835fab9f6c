"""Reads of activities and materials, always through permissions."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from members import permissions as member_permissions
from sanyuan.keyset import Page as KeysetPage
from sanyuan.keyset import keyset_page

from .. import permissions
from ..models import Activity, ActivityMaterial, Attendance

UPCOMING = "upcoming"
PAST = "past"


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def _with_member_rows(qs: QuerySet, user) -> QuerySet:
    """Members see their own reply on each activity (one extra query per page)."""
    member = member_permissions.member_of(user)
    if member is None:
        return qs
    return qs.prefetch_related(
        Prefetch(
            "attendances",
            queryset=Attendance.objects.filter(member=member),
            to_attr="my_attendance_rows",
        )
    )


def with_materials(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(
        Prefetch(
            "materials",
            queryset=ActivityMaterial.objects.defer("body").order_by("kind", "pk"),
            to_attr="material_list",
        )
    )


def activity_list(
    *,
    user,
    when: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    organization: int | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """Activities the user may see, filtered; unordered (pages order them)."""
    qs = permissions.filter_activities_visible_to(user).select_related("organization")
    now = now or timezone.now()
    if when == UPCOMING:
        qs = qs.filter(ends_at__gte=now)
    elif when == PAST:
        qs = qs.filter(ends_at__lt=now)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if organization is not None:
        org = member_permissions.filter_organizations_visible_to(user).filter(pk=organization)
        path = org.values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        qs = qs.filter(organization__path__startswith=path)
    return _with_member_rows(qs, user)


def activity_page(
    *,
    user,
    when: str | None = None,
    cursor: str | None = None,
    page_size: int = 20,
    materials: bool = False,
    **filters,
) -> KeysetPage:
    """Upcoming activities soonest first; past ones (and everything) newest first. With
    `materials`, each activity's materials come along (one query per page)."""
    qs = activity_list(user=user, when=when, **filters)
    if materials:
        qs = with_materials(qs)
    return keyset_page(
        qs,
        fields=("starts_at", "id"),
        descending=when != UPCOMING,
        cursor=cursor,
        page_size=page_size,
    )


def activity_get(*, user, pk) -> Activity:
    activity = (
        _with_member_rows(with_materials(permissions.filter_activities_visible_to(user)), user)
        .select_related("organization")
        .filter(pk=_pk(pk))
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def activity_get_for_manage(*, user, pk) -> Activity:
    """For staff actions: the activity if it lies in the user's scope, 404 otherwise."""
    activity = activity_get(user=user, pk=pk)
    permissions.check_manage_activity_permission(user, activity)
    return activity


def my_attendance(activity: Activity) -> Attendance | None:
    rows = getattr(activity, "my_attendance_rows", None)
    return rows[0] if rows else None


def material_get(*, user, pk) -> ActivityMaterial:
    material = (
        permissions.filter_materials_visible_to(user)
        .select_related("activity__organization")
        .filter(pk=_pk(pk))
        .first()
    )
    if material is None:
        raise Http404
    return material


# The month calendar --------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    activities: list = field(default_factory=list)


@dataclass
class MonthCalendar:
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    activities: list
    previous: date
    next: date

    @property
    def busy_days(self) -> list[CalendarDay]:
        """The days of this month with activities, in order (the list under the grid)."""
        return [cell for week in self.weeks for cell in week if cell.in_month and cell.activities]


MAX_CALENDAR_ACTIVITIES = 300


def month_calendar(*, user, year: int, month: int) -> MonthCalendar:
    first = date(year, month, 1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(following, time.min, tzinfo=tz)
    activities = list(
        activity_list(user=user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")[:MAX_CALENDAR_ACTIVITIES]
    )
    by_day: dict[date, list] = {}
    for activity in activities:
        by_day.setdefault(timezone.localtime(activity.starts_at).date(), []).append(activity)
    today = timezone.localdate()
    weeks = [
        [
            CalendarDay(
                day=d, in_month=d.month == month, is_today=d == today, activities=by_day.get(d, [])
            )
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    return MonthCalendar(
        year=year,
        month=month,
        weeks=weeks,
        activities=activities,
        previous=(first - timedelta(days=1)).replace(day=1),
        next=following,
    )
