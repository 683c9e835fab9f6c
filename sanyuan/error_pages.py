"""Chinese error answers (JSON under /api/) instead of Django's English defaults for 400, 403
and 404, including the 400/413 of oversized or malformed requests; and /favicon.ico."""

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)

from .security import TOO_LARGE, error_response


def bad_request(request, exception=None):
    """400, and 413 for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE; a bad Host header too."""
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
    """403 with the refusal's own Chinese message where it gives one (a tier check)."""
    message = str(exception or "")
    if not message or message.isascii():
        message = "您没有权限执行此操作。"
    return error_response(request, 403, message, "permission_denied")


def page_not_found(request, exception=None):
    return error_response(request, 404, "页面不存在或您无权查看。", "not_found")


def favicon(request):
    """Pages without an icon link (the admin) make browsers ask for /favicon.ico."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("img/icon.svg"), permanent=True)
