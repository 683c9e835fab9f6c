"""Idempotency keys: a request sent again with the same `Idempotency-Key` header is answered
from memory instead of being carried out twice.

Phones on patchy networks lose responses: the offline queue (static/js/app.js) resends a
reply or a study-time report until it sees an answer, always with the key it drew when the
request was first queued. The first request with a key runs; its answer (status, body,
Location) is remembered in the cache (Redis) for a day under the caller's identity, and a
repeat gets that answer back with `Idempotent-Replayed: true`, without running the view. A
repeat that arrives while the first one is still running gets 409 and tries again later.

Keys are scoped to the caller (the signed-in session's user, or a hash of the API token)
and to the method and path, so one person's key can never answer another's request.
Anonymous requests and requests without the header are not touched. Answers that the next
attempt could change (401, 403, 429, 5xx) are not remembered: the client may try again.
When the cache is down the request runs unprotected rather than failing.
"""

import hashlib
import logging
import re

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL_SECONDS = 24 * 60 * 60
# How long a key stays "in progress" if the worker running it dies without finishing.
LOCK_SECONDS = 60
# Bodies larger than this are not kept (the status and Location still are).
MAX_BODY_BYTES = 64 * 1024
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_REMEMBERED = frozenset({401, 403, 408, 429})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
PENDING = "pending"


def caller_scope(request) -> str | None:
    """Who is asking, as an opaque string; None for anonymous requests."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        return "t" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return None


def cache_key(*, scope: str, method: str, path: str, key: str) -> str:
    digest = hashlib.sha256(f"{scope}\n{method}\n{path}\n{key}".encode()).hexdigest()
    return f"idem:{digest}"


def _remember(response) -> dict | None:
    if response.status_code >= 500 or response.status_code in NOT_REMEMBERED:
        return None
    if getattr(response, "streaming", False):
        return None
    content = response.content if len(response.content) <= MAX_BODY_BYTES else b""
    return {
        "status": response.status_code,
        "content": content.decode("latin-1"),
        "content_type": response.get("Content-Type", ""),
        "location": response.get("Location", ""),
    }


def _replay(stored: dict) -> HttpResponse:
    response = HttpResponse(
        stored["content"].encode("latin-1"),
        status=stored["status"],
        content_type=stored["content_type"] or None,
    )
    if stored["location"]:
        response["Location"] = stored["location"]
    response[REPLAYED_HEADER] = "true"
    response["Cache-Control"] = "no-store"
    return response


class IdempotencyMiddleware:
    """Place after AuthenticationMiddleware (it needs `request.user`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE_METHODS:
            return self.get_response(request)
        scope = caller_scope(request)
        if scope is None:
            return self.get_response(request)
        if not KEY_PATTERN.match(key):
            return JsonResponse(
                {"detail": "Idempotency-Key 无效：应为 8 到 128 个字母、数字或 ._:- 。"},
                status=400,
            )
        slot = cache_key(scope=scope, method=request.method, path=request.path, key=key)
        claimed = cache.add(slot, PENDING, timeout=LOCK_SECONDS)
        if claimed is None:  # cache down: run once more rather than refuse
            logger.warning("idempotency: cache unavailable, running %s unprotected", request.path)
            return self.get_response(request)
        if not claimed:
            stored = cache.get(slot)
            if isinstance(stored, dict):
                return _replay(stored)
            return JsonResponse(
                {"detail": "同一请求正在处理中，请稍后再试。"},
                status=409,
                headers={"Retry-After": "2"},
            )
        try:
            response = self.get_response(request)
        except BaseException:
            cache.delete(slot)
            raise
        stored = _remember(response)
        if stored is None:
            cache.delete(slot)
        else:
            cache.set(slot, stored, timeout=TTL_SECONDS)
        return response
