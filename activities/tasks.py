"""Celery tasks of the activities app: thin wrappers around services."""

from celery import shared_task


@shared_task(name="activities.send-reminders", acks_late=True, time_limit=240, soft_time_limit=200)
def activity_reminders_send_task() -> int:
    """Periodic (celery beat): remind the audiences of activities starting soon, once each."""
    from .services import activity_reminders_send

    return activity_reminders_send()
