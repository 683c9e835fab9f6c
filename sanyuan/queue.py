"""Sending Celery tasks after the transaction commits, without ever failing the request.

If the broker is down at that moment the task is not sent and a warning is logged; the
work is recorded in the database (an outbox row) and a periodic sweeper sends it later.
"""

import functools
import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _task(task):
    """A task object, or its Celery name: services name the tasks they schedule, so that the
    service layer never imports the task modules above it."""
    if isinstance(task, str):
        from celery import current_app

        if task not in current_app.tasks:
            # Outside a worker the apps' task modules load on first use (autodiscovery).
            current_app.loader.import_default_modules()
        return current_app.tasks[task]
    return task


def _send(task, args, kwargs):
    task = _task(task)
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # broker down, connection refused, timeouts: the sweeper retries
        logger.warning(
            "could not enqueue %s%r; the sweeper will retry", task.name, args, exc_info=True
        )


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(functools.partial(_send, task, args, kwargs))


def enqueue_now(task, *args, **kwargs) -> bool:
    task = _task(task)
    try:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    except Exception:
        logger.warning("could not enqueue %s%r", task.name, args, exc_info=True)
        return False
