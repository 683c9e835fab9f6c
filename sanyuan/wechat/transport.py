"""One HTTP call to WeChat's API (settings.WECHAT_API_BASE_URL), answered as a dict or a
WechatError. WeChat answers errors with HTTP 200 and a JSON body carrying a non-zero errcode;
a success carries no errcode, or errcode 0."""

import http.client
import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings

from .errors import WechatNetworkError, error_for

MAX_ANSWER_BYTES = 1024 * 1024


def call(method: str, path: str, *, query: dict | None = None, body: dict | None = None) -> dict:
    """Call `path` (e.g. "/sns/jscode2session") and return the decoded JSON answer.

    POST bodies are UTF-8 JSON with Chinese as is (not as \\uXXXX escapes). Raises
    WechatNetworkError when there is no usable answer, the mapped WechatError for a
    non-zero errcode. Messages never contain the URL, which may carry a secret."""
    url = settings.WECHAT_API_BASE_URL.rstrip("/") + path
    if query:
        url += "?" + urlencode(query)
    data = None
    headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    raw = _send(request)
    return _decode(raw)


def _send(request: urllib.request.Request) -> bytes:
    try:
        with urllib.request.urlopen(request, timeout=settings.WECHAT_TIMEOUT_SECONDS) as answer:
            return answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise WechatNetworkError(f"HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        raise WechatNetworkError(str(exc.reason)) from exc
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise WechatNetworkError(type(exc).__name__ + (f": {exc}" if str(exc) else "")) from exc


def _decode(raw: bytes) -> dict:
    if len(raw) > MAX_ANSWER_BYTES:
        raise WechatNetworkError("answer too large")
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WechatNetworkError("answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise WechatNetworkError("answer is not a JSON object")
    errcode = answer.get("errcode", 0)
    try:
        errcode = int(errcode or 0)
    except (TypeError, ValueError) as exc:
        raise WechatNetworkError("answer has a malformed errcode") from exc
    if errcode != 0:
        raise error_for(errcode, str(answer.get("errmsg", ""))[:200])
    return answer
