"""Celery tasks of the dues app: thin wrappers around services (beat entries in settings)."""

from celery import shared_task


@shared_task(name="dues.daily", acks_late=True, time_limit=1800, soft_time_limit=1700)
def daily_task() -> dict:
    """Assess the month and remind on the due day and again later (each once)."""
    from .services import daily_run

    return daily_run()


@shared_task(name="dues.orders-sweep", acks_late=True, time_limit=600, soft_time_limit=540)
def orders_sweep_task() -> dict:
    """Query pending WeChat Pay orders (lost callbacks) and close expired ones."""
    from .services import orders_sweep

    return orders_sweep()


@shared_task(name="dues.reconcile", acks_late=True, time_limit=1800, soft_time_limit=1700)
def reconcile_task() -> int:
    """Yesterday's trade bills against the paid orders (idempotent per merchant and day)."""
    from .services import reconcile

    return len(reconcile())
