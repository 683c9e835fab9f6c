"""Celery tasks of the appraisals app: thin wrappers around services."""

from celery import shared_task


@shared_task(name="appraisals.send-reminders", acks_late=True, time_limit=600, soft_time_limit=540)
def reminders_send_task() -> int:
    """Periodic (celery beat): reminders before each stage of a round closes, once each
    (dedupe keys make a second run send nothing)."""
    from .services import reminders_send

    return reminders_send()
