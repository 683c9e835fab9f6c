"""Idempotency keys: an authenticated write sent again with the same `Idempotency-Key` header
is answered from memory instead of being carried out twice.

Phones on patchy networks lose responses: the offline queue (static/js/app.js) resends a
reply or a study-time report until it sees an answer, always with the key it drew when the
request was first queued. The first request with a key runs; its answer (status, body,
Location) is remembered for a day, and a repeat gets that answer back with
`Idempotent-Replayed: true`, without running the view. A repeat that arrives while the first
one is still running gets 409 and tries again later.

Only authenticated writes take part, keyed by the user id: the API token (knox) is resolved
here, before the check, so that an `Authorization` header that does not authenticate (say
`Token null`) gets no idempotency at all, and one person's key can never answer another's
request. Views that log in, register, reset a password, issue a one-time code or reveal an ID
number never take part (`idempotency_exempt = True` on the view): their answers are secrets.

Answers live in the broker's Redis (no eviction, so a key cannot vanish under memory pressure
and let a resend run twice) under `idem:`, encrypted with PII_ENCRYPTION_KEYS. Answers that
the next attempt could change (401, 403, 429, 5xx) are not remembered. When Redis is down the
request runs unprotected rather than failing.
"""

import base64
import hashlib
import json
import logging
import re

from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve

from .crypto import DecryptionError, decrypt, encrypt
from .redisconf import broker_client

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
PREFIX = "idem:"
TTL_SECONDS = 24 * 60 * 60
# How long a key stays "in progress" if the worker running it dies without finishing.
LOCK_SECONDS = 60
# Bodies larger than this are not kept (the status and Location still are).
MAX_BODY_BYTES = 64 * 1024
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_REMEMBERED = frozenset({401, 403, 408, 429})
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
PENDING = b"pending"


def _token_user(request):
    """The user an API token in `Authorization` belongs to (the non-session authentication
    classes of REST_FRAMEWORK, knox's first), or None when it does not authenticate."""
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.settings import api_settings

    for authentication_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        if issubclass(authentication_class, SessionAuthentication):
            continue
        try:
            result = authentication_class().authenticate(request)
        except APIException:
            return None
        if result is not None:
            return result[0]
    return None


def caller_scope(request) -> str | None:
    """Who is asking, by user id; None when nobody is authenticated. An `Authorization`
    header is the caller (as for DRF, which tries the token before the session)."""
    if request.META.get("HTTP_AUTHORIZATION"):
        user = _token_user(request)
    else:
        user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return f"u{user.pk}"
    return None


def is_exempt(request) -> bool:
    """Views marked `idempotency_exempt` (logins, one-time codes, reveals) never take part."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    view = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    return bool(
        getattr(view, "idempotency_exempt", False)
        or getattr(match.func, "idempotency_exempt", False)
    )


def cache_key(*, scope: str, method: str, path: str, key: str) -> str:
    digest = hashlib.sha256(f"{scope}\n{method}\n{path}\n{key}".encode()).hexdigest()
    return PREFIX + digest


def _remember(response) -> bytes | None:
    if response.status_code >= 500 or response.status_code in NOT_REMEMBERED:
        return None
    if getattr(response, "streaming", False):
        return None
    content = response.content if len(response.content) <= MAX_BODY_BYTES else b""
    stored = {
        "status": response.status_code,
        "content": base64.b64encode(content).decode(),
        "content_type": response.get("Content-Type", ""),
        "location": response.get("Location", ""),
    }
    return encrypt(json.dumps(stored)).encode()


def _replay(value: bytes) -> HttpResponse | None:
    try:
        stored = json.loads(decrypt(value.decode()))
    except (DecryptionError, ValueError):
        logger.warning("idempotency: a remembered answer could not be decrypted")
        return None
    response = HttpResponse(
        base64.b64decode(stored["content"]),
        status=stored["status"],
        content_type=stored["content_type"] or None,
    )
    if stored["location"]:
        response["Location"] = stored["location"]
    response[REPLAYED_HEADER] = "true"
    response["Cache-Control"] = "no-store"
    return response


def _in_progress() -> JsonResponse:
    return JsonResponse(
        {"detail": "同一请求正在处理中，请稍后再试。"}, status=409, headers={"Retry-After": "2"}
    )


class IdempotencyMiddleware:
    """Place after AuthenticationMiddleware (it needs `request.user` for sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE_METHODS or is_exempt(request):
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
        try:
            redis = broker_client()
            claimed = redis.set(slot, PENDING, nx=True, ex=LOCK_SECONDS)
            stored = None if claimed else redis.get(slot)
        except Exception:  # Redis down: run once more rather than refuse
            logger.warning("idempotency: Redis unavailable, running %s unprotected", request.path)
            return self.get_response(request)
        if not claimed:
            if stored and stored != PENDING:
                replay = _replay(stored)
                if replay is not None:
                    return replay
                self._forget(redis, slot)  # unreadable (keys changed): the next attempt runs
            return _in_progress()
        try:
            response = self.get_response(request)
        except BaseException:
            self._forget(redis, slot)
            raise
        remembered = _remember(response)
        try:
            if remembered is None:
                redis.delete(slot)
            else:
                redis.set(slot, remembered, ex=TTL_SECONDS)
        except Exception:
            logger.warning("idempotency: Redis unavailable, answer to %s not kept", request.path)
        return response

    @staticmethod
    def _forget(redis, slot: str) -> None:
        try:
            redis.delete(slot)
        except Exception:
            logger.warning("idempotency: Redis unavailable, key %s left to expire", slot)
