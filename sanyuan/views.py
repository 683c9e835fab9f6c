import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from drf_spectacular.views import SpectacularSwaggerSplitView

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
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
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


# Error pages: Chinese, JSON under /api/, never Django's English defaults. -----------------


def bad_request(request, exception=None):
    """400, and 413 for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE; a bad Host header too."""
    from django.core.exceptions import (
        DisallowedHost,
        RequestDataTooBig,
        TooManyFieldsSent,
        TooManyFilesSent,
    )

    from .security import TOO_LARGE, error_response

    if isinstance(exception, RequestDataTooBig):
        return error_response(request, 413, TOO_LARGE, "too_large")
    if isinstance(exception, TooManyFilesSent):
        return error_response(
            request,
            400,
            f"一次最多上传{settings.DATA_UPLOAD_MAX_NUMBER_FILES}个文件。",
            "too_many_files",
        )
    if isinstance(exception, TooManyFieldsSent):
        return error_response(request, 400, "提交的字段过多。", "too_many_fields")
    if isinstance(exception, DisallowedHost):
        return error_response(request, 400, "请求的主机名无效。", "bad_host")
    return error_response(request, 400, "请求无效。", "bad_request")


def permission_denied(request, exception=None):
    from .security import error_response

    return error_response(request, 403, "您没有权限执行此操作。", "permission_denied")


def page_not_found(request, exception=None):
    from .security import error_response

    return error_response(request, 404, "页面不存在或您无权查看。", "not_found")


def server_error(request):
    from .security import error_response

    return error_response(request, 500, "服务器出错了，请稍后再试。", "server_error")


class ApiDocsView(SpectacularSwaggerSplitView):
    """/api/docs/: Swagger UI with its start-up script as a file, no inline script or style
    (the Content-Security-Policy allows neither)."""

    template_name = "api_docs.html"


def favicon(request):
    """Pages without an icon link (the admin) make browsers ask for /favicon.ico."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("img/icon.svg"), permanent=True)
