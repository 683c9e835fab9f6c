"""Celery tasks of hometown ties (thin: they call services)."""

from celery import shared_task

from .services import support_cases_remind_stale


@shared_task(name="hometown.remind-stale-cases", acks_late=True, time_limit=600)
def remind_stale_cases_task() -> int:
    return support_cases_remind_stale()
