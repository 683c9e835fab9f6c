"""How activities are described in notices and exports (Chinese, local time)."""

from django.urls import reverse
from django.utils import timezone

WEEKDAYS = "一二三四五六日"


def activity_link(activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def when_text(activity) -> str:
    """ "11月27日（周四）09:00—11:00", or with both dates when it spans days."""
    start = timezone.localtime(activity.starts_at)
    end = timezone.localtime(activity.ends_at)
    head = f"{start.month}月{start.day}日（周{WEEKDAYS[start.weekday()]}）{start:%H:%M}"
    if end.date() == start.date():
        return f"{head}—{end:%H:%M}"
    return f"{head}—{end.month}月{end.day}日 {end:%H:%M}"
