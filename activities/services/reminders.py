"""Reminders before an activity starts, sent by a periodic task (celery beat).

A reminder goes out once per activity: the row records `reminded_at` under its lock, and the
notice carries the dedupe key "activity-reminder:<id>", so a second sweep, a redelivered
task or two beat processes racing all end with one notice. A cancelled activity (or one
cancelled while the sweep runs: the cancellation takes the same row lock) is never reminded.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.models import Notice
from members.services.notices import notice_publish

from ..audience import notice_audience
from ..models import Activity
from .texts import activity_link, when_text


def reminder_lead() -> timedelta:
    return timedelta(hours=settings.ACTIVITY_REMINDER_LEAD_HOURS)


def activity_reminders_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        Activity.objects.filter(
            status=Activity.Status.PUBLISHED,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + reminder_lead(),
        )
        .order_by("starts_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def activity_reminder_send(*, activity_id: int, now: datetime | None = None) -> bool:
    """Send the reminder of one activity if it is still due; True if a notice was stored."""
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("organization")
        .filter(pk=activity_id)
        .first()
    )
    if (
        activity is None  # gone, or another sweep holds it right now
        or activity.status != Activity.Status.PUBLISHED
        or activity.reminded_at is not None
        or activity.starts_at <= now
    ):
        return False
    notice = notice_publish(
        audience=notice_audience(activity),
        kind=Notice.Kind.ACTIVITY_REMINDER,
        title=f"活动提醒：{activity.title}",
        body=f"{activity.get_kind_display()}将于{when_text(activity)}举行"
        + (f"，地点：{activity.place}" if activity.place else "")
        + ("，可线上参加" if activity.online_url else "")
        + "。不能参加请在活动页面请假。",
        link=activity_link(activity),
        dedupe_key=f"activity-reminder:{activity.pk}",
    )
    activity.reminded_at = now
    activity.save(update_fields=["reminded_at"])
    return notice is not None


def activity_reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send every reminder now due; each activity in its own transaction."""
    now = now or timezone.now()
    return sum(
        activity_reminder_send(activity_id=pk, now=now)
        for pk in activity_reminders_due(now=now, limit=limit)
    )
