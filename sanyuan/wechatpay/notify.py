"""WeChat Pay callbacks (支付成功回调通知, 退款结果回调通知): verify, decrypt, type.

https://pay.weixin.qq.com/docs/merchant/products/notification/introduction.html and the
refund result notice of the refund API. WeChat Pay POSTs JSON
`{id, create_time, event_type, resource_type, summary, resource: {algorithm, ciphertext,
nonce, associated_data, original_type}}` signed like an API answer. Only a callback whose
signature verifies with the merchant's platform certificate or WeChat Pay public key,
whose timestamp is within five minutes, and whose resource opens with that merchant's
APIv3 key is returned; anything else raises a VerificationError subclass.

The endpoint answers 200 (or 204) when it has recorded the callback, and 4xx/5xx with
`{"code": "FAIL", "message": "…"}` otherwise, after which WeChat Pay sends it again. The
same callback may arrive many times: the app records it once (by out_trade_no /
out_refund_no, or Notification.id).
"""

import json
import time
from collections.abc import Mapping, Sequence

from .config import Merchant, load_merchants
from .errors import (
    DecryptionError,
    MalformedNotification,
    SignatureError,
    UnknownSerialError,
    VerificationError,
)
from .models import (
    EventType,
    Notification,
    PaymentNotification,
    Refund,
    RefundNotification,
    Transaction,
    parse_time,
)
from .signing import AUTH_SCHEME, decrypt_resource, header

AEAD_ALGORITHM = "AEAD_AES_256_GCM"
SUCCESS_BODY = {"code": "SUCCESS", "message": "成功"}


def notify_success() -> tuple[int, dict]:
    """What the endpoint answers once the callback is recorded: (status, JSON body)."""
    return 200, dict(SUCCESS_BODY)


def notify_failure(message: str = "失败", status: int = 500) -> tuple[int, dict]:
    """What the endpoint answers when it refuses or cannot record a callback (WeChat Pay
    retries): 401 for a VerificationError, 500 when our side failed."""
    if not 400 <= status < 600:
        raise ValueError("a failure answer is a 4xx or 5xx status")
    return status, {"code": "FAIL", "message": message}


def _verified_merchants(
    headers: Mapping, body: bytes, merchants: Sequence[Merchant], now: float
) -> list[Merchant]:
    signature_type = header(headers, "Wechatpay-Signature-Type") or AUTH_SCHEME
    if signature_type != AUTH_SCHEME:
        raise SignatureError(f"unsupported Wechatpay-Signature-Type {signature_type!r}")
    serial = header(headers, "Wechatpay-Serial")
    candidates = [m for m in merchants if m.verifier.knows(serial)]
    if not candidates:
        raise UnknownSerialError(f"no merchant has a platform key {serial!r}")
    verified, first_error = [], None
    for merchant in candidates:
        try:
            merchant.verifier.verify(headers, body, now=now)
            verified.append(merchant)
        except SignatureError as exc:
            first_error = first_error or exc
    if not verified:
        raise first_error
    return verified


def _envelope(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise MalformedNotification("the callback body is not JSON") from exc
    resource = data.get("resource") if isinstance(data, dict) else None
    if not isinstance(resource, dict) or not data.get("event_type"):
        raise MalformedNotification("the callback has no event_type or resource")
    if resource.get("algorithm") != AEAD_ALGORITHM:
        raise MalformedNotification(f"unsupported resource algorithm {resource.get('algorithm')!r}")
    return data


def _open(resource: dict, merchants: Sequence[Merchant]) -> tuple[Merchant, dict]:
    for merchant in merchants:
        try:
            plaintext = decrypt_resource(
                merchant.apiv3_key,
                ciphertext=str(resource.get("ciphertext", "")),
                nonce=str(resource.get("nonce", "")),
                associated_data=str(resource.get("associated_data", "")),
            )
        except DecryptionError:
            continue
        try:
            content = json.loads(plaintext)
        except ValueError as exc:
            raise MalformedNotification("the decrypted resource is not JSON") from exc
        if not isinstance(content, dict):
            raise MalformedNotification("the decrypted resource is not a JSON object")
        return merchant, content
    raise DecryptionError("the callback resource does not open with the APIv3 key")


def parse_notification(
    headers: Mapping,
    body: bytes,
    *,
    merchants: Sequence[Merchant] | None = None,
    now: float | None = None,
) -> Notification:
    """Verify and decrypt one callback, given the request headers (Django's
    `request.headers` will do) and the raw body (`request.body`, unparsed).

    Returns PaymentNotification (TRANSACTION.SUCCESS), RefundNotification (REFUND.SUCCESS,
    REFUND.ABNORMAL, REFUND.CLOSED) or a plain Notification for other event types. Raises
    SignatureError / UnknownSerialError / StaleTimestampError / DecryptionError /
    MalformedNotification (all VerificationError) for anything not provably WeChat Pay's."""
    merchants = load_merchants() if merchants is None else merchants
    verified = _verified_merchants(headers, body, merchants, time.time() if now is None else now)
    data = _envelope(body)
    merchant, content = _open(data["resource"], verified)
    if content.get("mchid") and str(content["mchid"]) != merchant.mchid:
        raise VerificationError("the callback is about another merchant")
    common = {
        "id": str(data.get("id", "")),
        "event_type": str(data["event_type"]),
        "create_time": parse_time(data.get("create_time")),
        "summary": str(data.get("summary", "")),
        "mchid": merchant.mchid,
        "resource": content,
    }
    event_type = common["event_type"]
    if event_type == EventType.TRANSACTION_SUCCESS:
        return PaymentNotification(**common, transaction=Transaction.from_api(content))
    if event_type.startswith("REFUND."):
        return RefundNotification(**common, refund=Refund.from_api(content))
    return Notification(**common)
