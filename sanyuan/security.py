"""Request-wide protections that need no app: request size limits and the
Permissions-Policy header. (The Content-Security-Policy comes from django-csp; the rest of
the security headers from Django's SecurityMiddleware.)"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from drf_spectacular.views import SpectacularSwaggerSplitView

from .parsers import TOO_DEEP, json_too_deep

TOO_LARGE = "提交的内容过大，请压缩图片或分几次上传。"


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_response(request, status: int, message: str, code: str):
    """A Chinese error answer: `{"detail", "code"}` for the API, a small page otherwise."""
    if wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    html = render_to_string("error.html", {"status": status, "message": message}, request=None)
    return HttpResponse(html, status=status)


def _is_json(request) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _has_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    return any(
        "\x00" in request.META.get(key, "")
        for key in ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_X_FORWARDED_FOR")
    )


class RequestLimitsMiddleware:
    """Refuse a body larger than REQUEST_MAX_BODY_BYTES with 413 before reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            return error_response(request, 400, "请求头 Content-Length 无效。", "bad_request")
        if size > settings.REQUEST_MAX_BODY_BYTES:
            return error_response(request, 413, TOO_LARGE, "too_large")
        if _has_nul(request):
            # PostgreSQL refuses NUL in text: answer before any query sees it.
            return error_response(request, 400, "请求中含有无效字符。", "invalid_characters")
        if size and _is_json(request):
            try:
                body = request.body
            except RequestDataTooBig:
                return error_response(request, 413, TOO_LARGE, "too_large")
            if json_too_deep(body):
                return error_response(request, 400, TOO_DEEP, "too_deep")
        return self.get_response(request)


class CacheControlMiddleware:
    """Personal data never lands in a browser's or a proxy's cache: answers under
    CACHE_CONTROL_NO_STORE (path prefixes: staff pages, the admin, a member's archive, the
    whole API …) get `Cache-Control: no-store`, whatever the view said, unless the path matches
    CACHE_CONTROL_MAY_STORE (public reference data, article files kept offline); a member's own
    pages the service worker keeps for offline reading (CACHE_CONTROL_REVALIDATE, regular
    expressions) get `private, no-cache` unless the view chose otherwise."""

    def __init__(self, get_response):
        import re

        self.get_response = get_response
        self.no_store = tuple(settings.CACHE_CONTROL_NO_STORE)
        self.may_store = [re.compile(rule) for rule in settings.CACHE_CONTROL_MAY_STORE]
        self.revalidate = [re.compile(rule) for rule in settings.CACHE_CONTROL_REVALIDATE]

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path
        if path.startswith(self.no_store) and not any(r.match(path) for r in self.may_store):
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "no-store"
        elif "Cache-Control" not in response and any(r.match(path) for r in self.revalidate):
            response["Cache-Control"] = "private, no-cache"
        return response


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ApiDocsView(SpectacularSwaggerSplitView):
    """/api/docs/: Swagger UI with its start-up script as a file, no inline script or style
    (the Content-Security-Policy allows neither)."""

    template_name = "api_docs.html"
