"""Celery tasks of the transfers app: thin wrappers around services."""

from celery import shared_task


@shared_task(name="transfers.expire-letters", acks_late=True, time_limit=600, soft_time_limit=540)
def letters_expire_task() -> int:
    """Periodic (celery beat): letters past their validity without receipt go back to staff
    attention, once each (idempotent: an expired transfer is not expired again)."""
    from .services import letters_expire

    return letters_expire()
