import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        logger.warning("healthz: database check failed", exc_info=True)
        return False


_clients: dict[str, redis.Redis] = {}


def _broker_client() -> redis.Redis:
    """One pooled client per broker URL and process: a health check every few seconds must
    not open a new connection each time."""
    url = settings.CELERY_BROKER_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=1, socket_connect_timeout=1
        )
    return client


def _broker_ok() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # the embedded default runs tasks inline: there is no broker
    try:
        return bool(_broker_client().ping())
    except redis.RedisError:
        logger.warning("healthz: broker check failed", exc_info=True)
        return False


def healthz(request):
    """200 when the database and the broker answer, 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
