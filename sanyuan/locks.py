"""A lock in the broker's Redis (never evicted, unlike the cache) so that a periodic job
started again while a previous run still works, on this host or another, skips instead of
running twice at once."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from .redisconf import broker_client

logger = logging.getLogger(__name__)

PREFIX = "sanyuan:lock:"


@contextmanager
def single_flight(name: str, *, timeout: float) -> Iterator[bool]:
    """Yields True while this process holds the lock `name`, False when another holder has it
    or Redis cannot be asked (then the job waits for its next turn rather than risk a second
    run). The lock expires after `timeout` seconds even if its holder dies: pass the job's
    hard time limit."""
    lock = broker_client().lock(PREFIX + name, timeout=timeout, blocking=False)
    try:
        acquired = lock.acquire()
    except Exception:
        logger.warning("lock %s: Redis did not answer; skipping this run", name, exc_info=True)
        acquired = False
    if not acquired:
        yield False
        return
    try:
        yield True
    finally:
        try:
            lock.release()
        except Exception:  # LockError when it expired, RedisError when Redis went away
            logger.warning("lock %s expired or could not be released", name, exc_info=True)
