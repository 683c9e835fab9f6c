"""Redis connections: one plain server, or Redis Sentinel (a master, replicas and sentinels
that promote a replica when the master fails).

With Sentinel the sentinels' addresses (REDIS_SENTINELS) replace the host and port of
REDIS_URL / CACHE_URL; their password and database number still apply, on whichever server
the sentinels name master of REDIS_SENTINEL_MASTER (broker, beat, locks, health, metrics) or
CACHE_SENTINEL_MASTER (the Django cache: rate limits, idempotency keys). settings.py builds
the configuration with the functions below (they read no environment); `broker_client()` is
the one way the code opens a Redis connection of its own.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

DEFAULT_SENTINEL_PORT = 26379
# django-redis takes the master name from the URL's host part, which urlsplit lowercases.
MASTER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# Connections of the health check, metrics and locks give up quickly: a load balancer asks often.
CLIENT_TIMEOUTS = {"socket_timeout": 1, "socket_connect_timeout": 1}


def parse_sentinels(entries: list[str]) -> list[tuple[str, int]]:
    """["10.0.0.5:26379", "[fd00::5]:26379", "sentinel-3"] -> [(host, port), ...]."""
    sentinels = []
    for entry in (item.strip() for item in entries):
        if not entry:
            continue
        match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?|([^:\[\]]+)(?::(\d+))?", entry)
        if match is None:
            raise ImproperlyConfigured(f"REDIS_SENTINELS: {entry!r} is not host:port")
        host = match[1] or match[3]
        port = int(match[2] or match[4] or DEFAULT_SENTINEL_PORT)
        sentinels.append((host, port))
    return sentinels


def check_sentinel_settings(sentinels: list, broker_master: str, cache_master: str) -> None:
    masters = [name for name in (broker_master, cache_master) if name]
    if sentinels and not masters:
        raise ImproperlyConfigured(
            "REDIS_SENTINELS is set: set REDIS_SENTINEL_MASTER and/or CACHE_SENTINEL_MASTER."
        )
    if masters and not sentinels:
        raise ImproperlyConfigured("A *_SENTINEL_MASTER is set: set REDIS_SENTINELS too.")
    for name in masters:
        if not MASTER_NAME.match(name):
            raise ImproperlyConfigured(
                f"Sentinel master name {name!r}: use lowercase letters, digits, '.', '_', '-'."
            )


def sentinel_kwargs(password: str) -> dict:
    """Options of the connections to the sentinels themselves."""
    return {**CLIENT_TIMEOUTS, **({"password": password} if password else {})}


def _userinfo(url: str) -> str:
    netloc = urlsplit(url).netloc
    return netloc.rpartition("@")[0] + "@" if "@" in netloc else ""


def _db(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


def kombu_sentinel_url(url: str, sentinels: list[tuple[str, int]]) -> str:
    """The broker URL for kombu's sentinel transport: one `sentinel://` URL per sentinel,
    joined by ';', each with REDIS_URL's password (for the master) and database number."""
    userinfo, db = _userinfo(url), _db(url)
    return ";".join(
        f"sentinel://{userinfo}{f'[{host}]' if ':' in host else host}:{port}/{db}"
        for host, port in sentinels
    )


def master_url(url: str, master: str) -> str:
    """`url` with its host and port replaced by a sentinel master's name (django-redis)."""
    parts = urlsplit(url)
    return urlunsplit(("redis", _userinfo(url) + master, f"/{_db(url)}", parts.query, ""))


def redbeat_settings(url: str, sentinels: list, master: str, sentinel_options: dict) -> dict:
    """celery-redbeat's connection (its schedule and lock live beside the broker's queue)."""
    options = {"retry_period": 30, "socket_timeout": 5}
    if not master:
        return {"redbeat_redis_url": url, "redbeat_redis_options": options}
    password = urlsplit(url).password
    return {
        "redbeat_redis_url": "redis-sentinel://",
        "redbeat_redis_options": {
            **options,
            "sentinels": sentinels,
            "service_name": master,
            "db": _db(url),
            "password": password,
            "sentinel_kwargs": sentinel_options,
        },
    }


_clients: dict[tuple, object] = {}


def broker_client():
    """A pooled redis-py client of the broker's Redis (the master, through the sentinels when
    CELERY_BROKER_URL is a `sentinel://` URL), one per process and configuration."""
    import redis
    from django.conf import settings
    from redis.sentinel import Sentinel

    url = settings.CELERY_BROKER_URL
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    key = (url, options.get("master_name"))
    client = _clients.get(key)
    if client is not None:
        return client
    if url.startswith("sentinel://"):
        first = url.split(";")[0]
        addresses = [(urlsplit(u).hostname, urlsplit(u).port) for u in url.split(";")]
        sentinel = Sentinel(addresses, sentinel_kwargs=options.get("sentinel_kwargs"))
        client = sentinel.master_for(
            options["master_name"],
            db=_db(first),
            password=urlsplit(first).password,
            **CLIENT_TIMEOUTS,
        )
    else:
        client = redis.Redis.from_url(url, **CLIENT_TIMEOUTS)
    _clients[key] = client
    return client
