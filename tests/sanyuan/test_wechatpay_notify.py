"""Payment and refund callbacks: verified, decrypted and typed, or refused."""

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sanyuan.wechatpay import (
    DecryptionError,
    MalformedNotification,
    Notification,
    PaymentNotification,
    RefundNotification,
    SignatureError,
    StaleTimestampError,
    UnknownSerialError,
    VerificationError,
    WechatPayError,
    notify_failure,
    notify_success,
    parse_notification,
)
from tests.fakes.wechatpay_keys import apiv3_key, shared_rsa_key
from tests.sanyuan.conftest import PUBLIC_ACCOUNT_APPID, merchant_for


def paid_order(wechatpay, out_trade_no="DUES202601000001"):
    wechatpay.client.jsapi_prepay(
        appid=PUBLIC_ACCOUNT_APPID,
        description="党费 2026年1月",
        out_trade_no=out_trade_no,
        amount_fen=1550,
        payer_openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        attach="member:42",
    )
    return wechatpay.fake.pay(out_trade_no)


def parse(wechatpay, callback, **kwargs):
    return parse_notification(
        callback.headers, callback.body, merchants=[wechatpay.merchant], **kwargs
    )


def test_a_payment_callback_is_verified_decrypted_and_typed(wechatpay):
    callback = paid_order(wechatpay)

    notification = parse(wechatpay, callback)

    assert isinstance(notification, PaymentNotification)
    assert notification.event_type == "TRANSACTION.SUCCESS" and notification.id.startswith("EV-")
    assert notification.mchid == wechatpay.merchant.mchid
    transaction = notification.transaction
    assert transaction.out_trade_no == "DUES202601000001" and transaction.paid
    assert transaction.total_fen == 1550 and transaction.payer_total_fen == 1550
    assert transaction.attach == "member:42" and transaction.transaction_id.startswith("4200")
    assert transaction.success_time is not None


def test_a_refund_callback_is_typed(wechatpay):
    paid_order(wechatpay)
    wechatpay.client.refund(
        out_trade_no="DUES202601000001", out_refund_no="REFUND-0001", amount_fen=550, total_fen=1550
    )

    notification = parse(wechatpay, wechatpay.fake.complete_refund("REFUND-0001"))

    assert isinstance(notification, RefundNotification)
    assert notification.event_type == "REFUND.SUCCESS"
    refund = notification.refund
    assert refund.out_refund_no == "REFUND-0001" and refund.succeeded
    assert refund.refund_fen == 550 and refund.out_trade_no == "DUES202601000001"


@pytest.mark.parametrize("status", ["CLOSED", "ABNORMAL"])
def test_a_failed_refund_callback_says_so(wechatpay, status):
    paid_order(wechatpay)
    wechatpay.client.refund(
        out_trade_no="DUES202601000001", out_refund_no="REFUND-0001", amount_fen=550, total_fen=1550
    )

    notification = parse(wechatpay, wechatpay.fake.complete_refund("REFUND-0001", status=status))

    assert notification.event_type == f"REFUND.{status}"
    assert notification.refund.status == status and not notification.refund.succeeded


def test_a_redelivered_callback_keeps_its_id_and_verifies_again(wechatpay):
    callback = paid_order(wechatpay)

    first = parse(wechatpay, callback)
    second = parse(wechatpay, wechatpay.fake.resign(callback))

    assert first.id == second.id and first.transaction == second.transaction


def test_other_event_types_arrive_as_plain_notifications(wechatpay):
    callback = wechatpay.fake.make_callback(
        mchid=wechatpay.merchant.mchid,
        event_type="TRANSACTION.PAYSCORE",
        summary="其他",
        original_type="transaction",
        resource={"mchid": wechatpay.merchant.mchid},
    )

    notification = parse(wechatpay, callback)

    assert type(notification) is Notification and notification.resource["mchid"]


def forged(wechatpay, **signing):
    """A payment callback like the real one, with the signing changed."""
    order = paid_order(wechatpay)
    return replace(order, headers=wechatpay.fake.sign_headers(order.body, **signing))


def test_a_callback_signed_by_another_key_is_refused(wechatpay):
    callback = forged(wechatpay, key=shared_rsa_key("forger"))

    with pytest.raises(SignatureError):
        parse(wechatpay, callback)


@pytest.mark.parametrize("age", [300, 3600])
def test_a_stale_callback_is_refused(wechatpay, age):
    callback = paid_order(wechatpay)

    with pytest.raises(StaleTimestampError):
        parse(wechatpay, callback, now=int(callback.headers["Wechatpay-Timestamp"]) + age)


def test_a_callback_signed_long_ago_is_refused_now(wechatpay):
    callback = forged(wechatpay, timestamp=1_600_000_000)

    with pytest.raises(StaleTimestampError):
        parse(wechatpay, callback)


def test_a_callback_naming_an_unknown_serial_is_refused(wechatpay):
    callback = forged(wechatpay, serial="PUB_KEY_ID_0999")

    with pytest.raises(UnknownSerialError):
        parse(wechatpay, callback)


def test_a_callback_whose_body_changed_after_signing_is_refused(wechatpay):
    callback = paid_order(wechatpay)
    body = json.loads(callback.body)
    body["summary"] = "支付成功了"

    with pytest.raises(SignatureError):
        parse(wechatpay, replace(callback, body=json.dumps(body, ensure_ascii=False).encode()))


def test_a_callback_encrypted_with_another_apiv3_key_is_refused(wechatpay):
    paid_order(wechatpay)
    callback = wechatpay.fake.make_callback(
        mchid=wechatpay.merchant.mchid,
        event_type="TRANSACTION.SUCCESS",
        summary="支付成功",
        original_type="transaction",
        resource=wechatpay.fake.transaction(
            wechatpay.fake.orders[(wechatpay.merchant.mchid, "DUES202601000001")]
        ),
        apiv3_key=apiv3_key(),
    )

    with pytest.raises(DecryptionError):
        parse(wechatpay, callback)


def test_a_signature_probe_is_refused(wechatpay):
    callback = paid_order(wechatpay)
    probe = {**callback.headers, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/ZmFrZQ=="}

    with pytest.raises(SignatureError):
        parse_notification(probe, callback.body, merchants=[wechatpay.merchant])


def test_another_signature_type_is_refused(wechatpay):
    callback = paid_order(wechatpay)
    headers = {**callback.headers, "Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3"}

    with pytest.raises(SignatureError):
        parse_notification(headers, callback.body, merchants=[wechatpay.merchant])


def test_a_signed_body_that_is_not_a_callback_is_refused(wechatpay):
    body = b'{"hello": "world"}'

    with pytest.raises(MalformedNotification):
        parse_notification(wechatpay.fake.sign_headers(body), body, merchants=[wechatpay.merchant])


def test_a_callback_about_another_merchant_is_refused(wechatpay):
    callback = wechatpay.fake.make_callback(
        mchid=wechatpay.merchant.mchid,
        event_type="TRANSACTION.SUCCESS",
        summary="支付成功",
        original_type="transaction",
        resource={"mchid": "1900000999", "out_trade_no": "DUES202601000001"},
    )

    with pytest.raises(VerificationError):
        parse(wechatpay, callback)


def test_the_merchant_is_found_among_several_by_its_keys(wechatpay, merchant_key):
    other = merchant_for(wechatpay.fake, merchant_key, mchid="1900000002")
    callback = paid_order(wechatpay)

    notification = parse_notification(
        callback.headers, callback.body, merchants=[other, wechatpay.merchant]
    )

    assert notification.mchid == wechatpay.merchant.mchid


def test_the_documented_answers():
    assert notify_success() == (200, {"code": "SUCCESS", "message": "成功"})
    assert notify_failure("验签失败", status=401) == (401, {"code": "FAIL", "message": "验签失败"})
    assert notify_failure() == (500, {"code": "FAIL", "message": "失败"})
    with pytest.raises(ValueError):
        notify_failure(status=200)


class Receiver:
    """A merchant endpoint on a free port that parses callbacks as the app's view will."""

    def __init__(self, merchant):
        self.received: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    note = parse_notification(self.headers, body, merchants=[merchant])
                    receiver.received.append(note.id)
                    status, answer = notify_success()
                except WechatPayError:
                    status, answer = notify_failure("验签失败", status=401)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_callback_is_delivered_over_http_and_a_redelivery_carries_the_same_id(wechatpay):
    receiver = Receiver(wechatpay.merchant)
    try:
        callback = paid_order(wechatpay)
        statuses = [wechatpay.fake.deliver(callback, receiver.url) for _ in range(2)]
    finally:
        receiver.close()

    assert statuses == [200, 200]
    assert len(receiver.received) == 2 and len(set(receiver.received)) == 1
    assert wechatpay.fake.deliveries == [(receiver.url, 200), (receiver.url, 200)]


def test_a_callback_signed_with_another_key_is_answered_with_a_failure(wechatpay):
    receiver = Receiver(wechatpay.merchant)
    try:
        callback = paid_order(wechatpay)
        wechatpay.fake.platform_key = shared_rsa_key("forger")  # deliver() signs with it
        status = wechatpay.fake.deliver(callback, receiver.url)
    finally:
        receiver.close()

    assert status == 401 and receiver.received == []
