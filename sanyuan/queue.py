"""Sending Celery tasks after the transaction commits, without ever failing the request.

If the broker is down at that moment the task is not sent and a warning is logged; the
work is recorded in the database (an outbox row) and a periodic sweeper sends it later.
"""

import functools
import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task, args, kwargs):
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # broker down, connection refused, timeouts: the sweeper retries
        logger.warning(
            "could not enqueue %s%r; the sweeper will retry", task.name, args, exc_info=True
        )


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(functools.partial(_send, task, args, kwargs))


def enqueue_now(task, *args, **kwargs) -> bool:
    try:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    except Exception:
        logger.warning("could not enqueue %s%r", task.name, args, exc_info=True)
        return False
