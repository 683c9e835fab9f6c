"""Months as the first day of the month, in Beijing time (the project's TIME_ZONE)."""

from datetime import date

from django.conf import settings
from django.utils import timezone


def first(day: date) -> date:
    return day.replace(day=1)


def this_month(today: date | None = None) -> date:
    return first(today or timezone.localdate())


def add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def between(start: date, end: date) -> list[date]:
    """Months from start to end, both included (empty when end is before start)."""
    months, month = [], first(start)
    while month <= end:
        months.append(month)
        month = add(month, 1)
    return months


def count_between(start: date, end: date) -> int:
    """How many months after `start` `end` is (0 for the same month)."""
    return (end.year - start.year) * 12 + end.month - start.month


def due_date(month: date) -> date:
    return month.replace(day=min(int(settings.DUES_DUE_DAY), 28))


def label(month: date | None) -> str:
    return f"{month.year}年{month.month}月" if month else ""


def parse(text) -> date | None:
    """`2026-11` or `2026-11-01` → the month; None otherwise."""
    raw = str(text or "").strip()
    try:
        year, month = raw[:7].split("-")
        value = date(int(year), int(month), 1)
    except (ValueError, TypeError):
        return None
    if len(raw) not in (7, 10) or not 2000 <= value.year <= 2100:
        return None
    return value
