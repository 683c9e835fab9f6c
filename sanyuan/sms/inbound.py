"""Replies from members (for opt-out) and callback checks.

- Aliyun SmsUp, HTTP batch push (https://help.aliyun.com/zh/sms/developer-reference/smsup-http):
  a JSON array of {phone_number, content, send_time, dest_code, sequence_id}. Aliyun documents
  no signature for it, so the receiving URL carries our secret token (check_callback_token).
- Aliyun SmsUp through an MNS topic's HTTP subscription: signed with RSA-SHA1 by MNS
  (https://help.aliyun.com/zh/mns/debugging-tool-of-http-endpoints); verify_mns_push checks it,
  the certificate URL prefix, the Content-MD5 and the 15-minute Date window.
- Tencent reply callback (https://cloud.tencent.com/document/api/382/59179): one JSON object
  {extend, mobile, nationcode, sign, text, time}; no signature documented: token in the URL.
"""

import base64
import hashlib
import hmac
import json
import re
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import defusedxml.ElementTree as ET

from .base import InboundSms, beijing_time

OPT_OUT_WORDS = frozenset({"TD", "退订", "R"})
MNS_DATE_WINDOW = timedelta(minutes=15)
MNS_CERT_PREFIXES = (
    "https://mnstest.oss-cn-hangzhou.aliyuncs.com/",
    "https://mns-cert.oss-cn-",  # https://mns-cert.oss-cn-{region}.aliyuncs.com/
)


class SmsCallbackRejected(Exception):
    """The callback is not from the vendor or is malformed; answer 403/400, change nothing."""


def is_opt_out(text: str) -> bool:
    """Whether a reply asks to stop texts: TD, 退订 or R, ignoring case, spaces (also
    full-width ones) and surrounding punctuation."""
    cleaned = re.sub(r"[\s\u3000。．.,，!！]", "", text or "").upper()
    cleaned = cleaned.translate({ord(c): ord(c) - 0xFEE0 for c in "ＴＤＲ"})
    return cleaned in OPT_OUT_WORDS


def check_callback_token(given: str, expected: str) -> None:
    if not expected or not hmac.compare_digest((given or "").encode(), expected.encode()):
        raise SmsCallbackRejected("回调令牌不正确")


# Aliyun -----------------------------------------------------------------------------------


def parse_aliyun_sms_up(body: bytes) -> list[InboundSms]:
    """The replies of an Aliyun SmsUp HTTP batch push (JSON array)."""
    items = _json(body)
    if not isinstance(items, list):
        raise SmsCallbackRejected("上行短信推送应为 JSON 数组")
    return [_aliyun_reply(item) for item in items]


def _aliyun_reply(item) -> InboundSms:
    try:
        phone, text, sent = item["phone_number"], item["content"], item["send_time"]
        received = beijing_time(sent)
    except (KeyError, TypeError, ValueError) as exc:
        raise SmsCallbackRejected(f"上行短信字段不完整：{exc}") from exc
    extra = {k: item[k] for k in ("dest_code", "sequence_id", "sign_name") if k in item}
    return InboundSms(phone=str(phone), text=str(text), received_at=received, extra=extra)


def verify_mns_push(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    cert_loader: Callable[[str], bytes] | None = None,
    allowed_cert_prefixes: Sequence[str] = MNS_CERT_PREFIXES,
    now: datetime | None = None,
) -> None:
    """Raise SmsCallbackRejected unless the request is an MNS push signed as documented."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    h = {key.lower(): value for key, value in headers.items()}
    _check_mns_date(h.get("date", ""), now or datetime.now(UTC))
    _check_content_md5(h.get("content-md5", ""), body)
    cert_url = _b64_text(h.get("x-mns-signing-cert-url", ""))
    if not any(cert_url.startswith(prefix) for prefix in allowed_cert_prefixes):
        raise SmsCallbackRejected("签名证书地址不是阿里云的")
    certificate = x509.load_pem_x509_certificate((cert_loader or load_certificate)(cert_url))
    try:
        certificate.public_key().verify(
            base64.b64decode(h.get("authorization", "")),
            mns_string_to_sign(method, path, h).encode("utf-8"),
            padding.PKCS1v15(),
            hashes.SHA1(),
        )
    except (InvalidSignature, ValueError) as exc:
        raise SmsCallbackRejected("MNS 推送签名不正确") from exc


def mns_string_to_sign(method: str, path: str, lowered_headers: Mapping[str, str]) -> str:
    mns = "".join(
        f"{key}:{lowered_headers[key]}\n"
        for key in sorted(lowered_headers)
        if key.startswith("x-mns-")
    )
    return "\n".join(
        [
            method.upper(),
            lowered_headers.get("content-md5", ""),
            lowered_headers.get("content-type", ""),
            lowered_headers.get("date", ""),
            mns + path,
        ]
    )


def _check_mns_date(value: str, now: datetime) -> None:
    try:
        sent = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise SmsCallbackRejected("缺少或无法解析 Date") from exc
    if abs(now - sent) > MNS_DATE_WINDOW:
        raise SmsCallbackRejected("推送时间超出 15 分钟")


def _check_content_md5(value: str, body: bytes) -> None:
    if not value:
        return
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    if (
        _b64_text(value).lower() != digest
        and value != base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
    ):
        raise SmsCallbackRejected("Content-MD5 与内容不符")


_certificates: dict[str, bytes] = {}


def load_certificate(url: str) -> bytes:
    """Fetch (once per process) the signing certificate MNS names."""
    if url not in _certificates:
        with urllib.request.urlopen(url, timeout=5) as response:
            _certificates[url] = response.read(64 * 1024)
    return _certificates[url]


def parse_mns_notification(body: bytes, content_type: str = "") -> list[InboundSms]:
    """The SmsUp reply inside an MNS push, whichever NotifyContentFormat the subscription uses
    (XML <Notification>, JSON {"Message": …}, or SIMPLIFIED: the message itself)."""
    text = body.decode("utf-8").strip()
    if text.startswith("<"):
        root = ET.fromstring(text)
        node = root.find("{*}Message")
        if node is None:
            node = root.find("Message")
        message = node.text if node is not None else ""
    else:
        data = _json(body)
        message = (
            data.get("Message", text) if isinstance(data, dict) and "Message" in data else text
        )
    payload = _json(message.encode("utf-8"))
    items = payload if isinstance(payload, list) else [payload]
    return [_aliyun_reply(item) for item in items]


# Tencent ----------------------------------------------------------------------------------


def parse_tencent_reply(body: bytes) -> InboundSms:
    item = _json(body)
    try:
        phone, text = str(item["mobile"]), str(item["text"])
        received = datetime.fromtimestamp(int(item["time"]), tz=UTC)
    except (KeyError, TypeError, ValueError) as exc:
        raise SmsCallbackRejected(f"回复回调字段不完整：{exc}") from exc
    if str(item.get("nationcode", "86")) != "86":
        raise SmsCallbackRejected("只接收中国大陆号码的回复")
    extra = {k: item[k] for k in ("sign", "extend") if k in item}
    return InboundSms(phone=phone, text=text, received_at=received, extra=extra)


def _json(body: bytes):
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SmsCallbackRejected("不是合法的 JSON") from exc


def _b64_text(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""
