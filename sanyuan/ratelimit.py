"""Fixed-window counters in the cache (Redis in production), shared by all web workers."""

from django.core.cache import cache

from .errors import RateLimited


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one event under `key`; False once more than `limit` happened in the window."""
    cache_key = f"rl:{key}:{window}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    if count is None:  # cache down (errors ignored): do not lock everybody out
        return True
    return count <= limit


def enforce(key: str, rates: list[tuple[int, int]], message: str | None = None) -> None:
    """Count one event against each (limit, window) of `rates`; raise RateLimited when over."""
    for limit, window in rates:
        if not hit(key, limit=limit, window=window):
            if message:
                raise RateLimited(message, retry_after=window)
            raise RateLimited(retry_after=window)
