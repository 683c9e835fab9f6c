"""The app's access_token (POST /cgi-bin/stable_token), shared by every web and worker process.

The token lives in the Django cache until shortly before WeChat's `expires_in` runs out. When
it is missing, one process fetches it under a Redis lock (django-redis `cache.lock`) while the
others wait for that lock and then read the new token from the cache, so a cold cache costs
one stable_token call however many workers ask at once. Without Redis (the locmem demo cache)
a process-local lock does the same within the process.

stable_token's normal mode hands out the current token and a fresh one once it is about to
expire; its force_refresh mode invalidates the current token, is limited to 20 calls a day,
and does nothing when called again within 30 seconds (see the README's WeChat section). So
force_refresh is used only after WeChat refused a token that normal mode still hands out.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from . import transport
from .config import WechatApp
from .errors import WechatNetworkError, WechatTokenError

logger = logging.getLogger(__name__)
T = TypeVar("T")

FORCE_REFRESH_SPACING_SECONDS = 30  # WeChat ignores a second force_refresh within 30 s
_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()


def token_cache_key(app: WechatApp) -> str:
    return f"wechat:access-token:{app.app_id}"


def access_token(app: WechatApp) -> str:
    """The app's current access_token, from the cache or fetched once for all processes.
    Raises WechatError (WechatNetworkError when the fetch by another process did not finish
    within the wait)."""
    token = cache.get(token_cache_key(app))
    if token:
        return token
    with _refresh_lock(app):
        token = cache.get(token_cache_key(app))
        if token:
            return token  # another process fetched it while we waited
        return _fetch(app, force=False)


def refresh_access_token(app: WechatApp, *, refused: str) -> str:
    """A token to use instead of `refused`, which WeChat just answered with 40001/40014/42001.

    Under the lock: a token another process already put in its place is used as is;
    otherwise normal mode is asked (it hands out a new token once the old one expired or was
    replaced), and force_refresh only if normal mode hands back the refused token."""
    key = token_cache_key(app)
    with _refresh_lock(app):
        cached = cache.get(key)
        if cached and cached != refused:
            return cached
        cache.delete(key)
        token = _fetch(app, force=False)
        if token != refused:
            return token
        if not cache.add(f"{key}:forced", 1, timeout=FORCE_REFRESH_SPACING_SECONDS):
            return token  # forced less than 30 s ago: WeChat would not refresh again
        logger.warning("wechat %s: refused access_token still current, forcing a new one", app)
        return _fetch(app, force=True)


def with_access_token(app: WechatApp, call: Callable[[str], T]) -> T:
    """`call(token)`; when WeChat refuses the token, refresh it once and call again. A second
    refusal propagates as WechatTokenError (decision refresh_token: retry later)."""
    token = access_token(app)
    try:
        return call(token)
    except WechatTokenError:
        return call(refresh_access_token(app, refused=token))


def _fetch(app: WechatApp, *, force: bool) -> str:
    body: dict = {"grant_type": "client_credential", "appid": app.app_id, "secret": app.secret}
    if force:
        body["force_refresh"] = True
    answer = transport.call("POST", "/cgi-bin/stable_token", body=body)
    token = answer.get("access_token")
    expires_in = answer.get("expires_in")
    if not isinstance(token, str) or not token or not isinstance(expires_in, int):
        raise WechatNetworkError("stable_token answered without access_token/expires_in")
    cache.set(token_cache_key(app), token, timeout=_cache_seconds(expires_in))
    return token


def _cache_seconds(expires_in: int) -> int:
    """expires_in less the margin, but never less than half of it (WeChat promises at least
    300 s; near the end of a token's life it may answer with little time left)."""
    return max(expires_in - settings.WECHAT_TOKEN_MARGIN_SECONDS, expires_in // 2, 1)


def _lock_seconds() -> float:
    # The holder makes at most two calls (normal mode, then force_refresh); the lease outlasts
    # them with room to spare, so no second fetch starts while the first is under way.
    return 3 * settings.WECHAT_TIMEOUT_SECONDS + 5


@contextmanager
def _refresh_lock(app: WechatApp) -> Iterator[None]:
    """Held by one process at a time per app; the others wait (up to the lease) for it."""
    name = f"wechat:access-token-lock:{app.app_id}"
    if not hasattr(cache, "lock"):
        with _local_lock(name):
            yield
        return
    import redis

    try:
        lock = cache.lock(name, timeout=_lock_seconds(), blocking_timeout=_lock_seconds())
        acquired = lock.acquire()
    except redis.RedisError:
        # The cache is down: the site keeps working, each process fetching for itself.
        logger.warning("wechat token lock unavailable (cache down); fetching without it")
        yield
        return
    if not acquired:
        raise WechatNetworkError("timed out waiting for another process to fetch the token")
    try:
        yield
    finally:
        # A lease that ran out (a very slow WeChat) leaves nothing to release.
        with suppress(redis.RedisError):
            lock.release()


@contextmanager
def _local_lock(name: str) -> Iterator[None]:
    with _local_locks_guard:
        lock = _local_locks.setdefault(name, threading.Lock())
    if not lock.acquire(timeout=_lock_seconds()):
        raise WechatNetworkError("timed out waiting for another thread to fetch the token")
    try:
        yield
    finally:
        lock.release()
