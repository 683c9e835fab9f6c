import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from .redisconf import broker_client

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


def _broker_ok() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # the embedded default runs tasks inline: there is no broker
    try:
        # one pooled client per process: a health check every few seconds must not open a
        # new connection each time; with Sentinel it asks for the current master
        return bool(broker_client().ping())
    except Exception:  # any failure is "unavailable" (503), never a 500
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


# Database unavailable: a clean 503 instead of a 500, for pages and the API alike. Django
# turns every uncaught exception (in a view or in a middleware, e.g. loading the session)
# into a call of handler500 while the exception is being handled; the connection itself
# reconnects on the next request (CONN_HEALTH_CHECKS), so the app recovers without a restart.
DATABASE_UNAVAILABLE = "系统暂时无法访问数据库，请稍后再试。"
RETRY_AFTER_SECONDS = 30


def _database_unavailable(exc: BaseException | None) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def service_unavailable(request, message: str = DATABASE_UNAVAILABLE):
    """503 with a Chinese message; rendered without touching the database (no context
    processors, no session, no user)."""
    if _wants_json(request):
        response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
    else:
        try:
            page = render_to_string("503.html", {"message": message})
        except Exception:  # e.g. static files not collected: the message still goes out
            logger.exception("503 page could not be rendered")
            page = f'<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><p>{message}</p>'
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


SERVER_ERROR = "服务器出错了，请稍后再试。我们已记录这个问题。"


def server_error(request, *args, **kwargs):
    """handler500: database outages become 503, everything else a Chinese 500 (JSON under
    /api/); Django's plain English page only if even that cannot be rendered."""
    if _database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    from .security import error_response

    try:
        return error_response(request, 500, SERVER_ERROR, "server_error")
    except Exception:
        return defaults.server_error(request, *args, **kwargs)
