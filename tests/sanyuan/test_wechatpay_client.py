"""The client against the fake WeChat Pay over real HTTP, in both verification modes."""

import base64
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from sanyuan.wechatpay import (
    AppidMchidNotMatch,
    ConfigurationError,
    InvalidRequest,
    OrderClosed,
    OrderNotFound,
    OrderPaid,
    OutTradeNoUsed,
    SignatureError,
    SignError,
    StaleTimestampError,
    TradeState,
    TransportError,
    UnknownSerialError,
    Verifier,
    WechatPayClient,
)
from tests.fakes.wechatpay_keys import self_signed_certificate, shared_rsa_key
from tests.sanyuan.conftest import MINI_PROGRAM_APPID, NOTIFY_URL, PUBLIC_ACCOUNT_APPID

CHINA = ZoneInfo("Asia/Shanghai")


def order(client, out_trade_no="DUES202601000001", **changes):
    arguments = {
        "appid": PUBLIC_ACCOUNT_APPID,
        "description": "党费 2026年1月",
        "out_trade_no": out_trade_no,
        "amount_fen": 1550,
        "payer_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "time_expire": datetime(2026, 1, 5, 18, 0, tzinfo=CHINA),
        "attach": "member:42",
    }
    arguments.update(changes)
    return client.jsapi_prepay(**arguments)


def test_a_jsapi_order_is_created_and_found_again_with_the_same_arguments(wechatpay):
    prepay_id = order(wechatpay.client)

    stored = wechatpay.fake.orders[(wechatpay.merchant.mchid, "DUES202601000001")]
    assert prepay_id.startswith("wx") and stored.prepay_id == prepay_id
    assert stored.description == "党费 2026年1月" and stored.total == 1550
    assert stored.time_expire == "2026-01-05T18:00:00+08:00"
    assert stored.notify_url == NOTIFY_URL
    assert order(wechatpay.client) == prepay_id


def test_the_same_out_trade_no_with_another_amount_is_refused(wechatpay):
    order(wechatpay.client)

    with pytest.raises(OutTradeNoUsed) as caught:
        order(wechatpay.client, amount_fen=1600)
    assert caught.value.status == 403 and not caught.value.retryable and caught.value.verified


def test_payment_params_are_signed_for_the_browser_the_jssdk_and_the_mini_program(
    wechatpay, merchant_key
):
    params = wechatpay.client.jsapi_order(
        appid=MINI_PROGRAM_APPID,
        description="党费",
        out_trade_no="DUES202601000002",
        amount_fen=20,
        payer_openid="o-mini",
    )

    message = f"{MINI_PROGRAM_APPID}\n{params.time_stamp}\n{params.nonce_str}\n{params.package}\n"
    merchant_key.public_key().verify(
        base64.b64decode(params.pay_sign),
        message.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    stored = wechatpay.fake.orders[(wechatpay.merchant.mchid, "DUES202601000002")]
    assert (
        params.package == f"prepay_id={stored.prepay_id}" and params.prepay_id == stored.prepay_id
    )
    bridge = params.for_weixin_js_bridge()
    assert bridge["appId"] == MINI_PROGRAM_APPID and bridge["signType"] == "RSA"
    assert set(params.for_jssdk()) == {"timestamp", "nonceStr", "package", "signType", "paySign"}
    assert set(params.for_mini_program()) == {
        "timeStamp",
        "nonceStr",
        "package",
        "signType",
        "paySign",
    }


def test_an_unpaid_order_is_queried_then_paid_and_queried_again(wechatpay):
    order(wechatpay.client)

    unpaid = wechatpay.client.query_order("DUES202601000001")
    wechatpay.fake.pay("DUES202601000001")  # the callback is dropped: a lost callback
    paid = wechatpay.client.query_order("DUES202601000001")

    assert unpaid.trade_state == TradeState.NOTPAY and not unpaid.paid and not unpaid.final
    assert paid.trade_state == TradeState.SUCCESS and paid.paid and paid.final
    assert paid.transaction_id.startswith("4200") and paid.total_fen == 1550
    assert paid.success_time.tzinfo is not None and paid.attach == "member:42"
    assert paid.payer_openid == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def test_an_unknown_order_is_not_found(wechatpay):
    with pytest.raises(OrderNotFound) as caught:
        wechatpay.client.query_order("NEVER-SEEN-0001")
    assert caught.value.status == 404 and caught.value.code == "ORDER_NOT_EXIST"


def test_an_unpaid_order_closes_and_cannot_be_created_again(wechatpay):
    order(wechatpay.client)

    wechatpay.client.close_order("DUES202601000001")

    assert wechatpay.client.query_order("DUES202601000001").trade_state == TradeState.CLOSED
    with pytest.raises(OrderClosed):
        order(wechatpay.client)


def test_a_paid_order_does_not_close(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.pay("DUES202601000001")

    with pytest.raises(OrderPaid):
        wechatpay.client.close_order("DUES202601000001")
    with pytest.raises(OrderPaid):
        order(wechatpay.client)


def test_a_refund_is_accepted_queried_and_completed(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.pay("DUES202601000001")

    refund = wechatpay.client.refund(
        out_trade_no="DUES202601000001",
        out_refund_no="REFUND-0001",
        amount_fen=550,
        total_fen=1550,
        reason="多缴退还",
    )
    again = wechatpay.client.refund(
        out_trade_no="DUES202601000001", out_refund_no="REFUND-0001", amount_fen=550, total_fen=1550
    )
    wechatpay.fake.complete_refund("REFUND-0001")
    done = wechatpay.client.query_refund("REFUND-0001")

    assert refund.status == "PROCESSING" and not refund.final and refund.refund_fen == 550
    assert again.refund_id == refund.refund_id
    assert done.succeeded and done.success_time is not None and done.total_fen == 1550
    assert wechatpay.client.query_order("DUES202601000001").trade_state == TradeState.REFUND


def test_a_refund_beyond_what_was_paid_is_refused(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.pay("DUES202601000001")
    wechatpay.client.refund(
        out_trade_no="DUES202601000001",
        out_refund_no="REFUND-0001",
        amount_fen=1000,
        total_fen=1550,
    )

    with pytest.raises(InvalidRequest):
        wechatpay.client.refund(
            out_trade_no="DUES202601000001",
            out_refund_no="REFUND-0002",
            amount_fen=600,
            total_fen=1550,
        )


def test_an_unknown_refund_is_not_found(wechatpay):
    with pytest.raises(OrderNotFound):
        wechatpay.client.query_refund("REFUND-NONE")


def test_an_appid_the_merchant_does_not_have_is_refused_before_sending(wechatpay):
    with pytest.raises(ConfigurationError):
        order(wechatpay.client, appid="wx0000000000000000")
    assert wechatpay.fake.requests == []


def test_an_appid_not_bound_at_wechatpay_is_refused_there(wechatpay):
    wechatpay.fake.merchants[wechatpay.merchant.mchid].appids = (PUBLIC_ACCOUNT_APPID,)

    with pytest.raises(AppidMchidNotMatch):
        order(wechatpay.client, appid=MINI_PROGRAM_APPID)


def test_an_order_without_a_notify_url_is_a_configuration_error(wechatpay, settings):
    settings.WECHATPAY_NOTIFY_URL = ""

    with pytest.raises(ConfigurationError):
        order(wechatpay.client)


# -- the fake refuses what WeChat Pay refuses ------------------------------------------------


def test_the_fake_refuses_a_request_signed_with_another_key(wechatpay):
    forger = replace(wechatpay.merchant, private_key=shared_rsa_key("forger"))
    client = WechatPayClient(forger, base_url=wechatpay.fake.url)

    with pytest.raises(SignError) as caught:
        order(client)
    assert caught.value.status == 401 and not caught.value.verified
    assert wechatpay.fake.orders == {} and wechatpay.fake.requests[-1][2] == 401


def test_the_fake_refuses_a_wrong_certificate_serial(wechatpay):
    client = WechatPayClient(
        replace(wechatpay.merchant, serial_no="0123456789ABCDEF"),
        base_url=wechatpay.fake.url,
    )

    with pytest.raises(SignError):
        client.query_order("DUES202601000001")


def test_the_fake_refuses_a_request_from_a_skewed_clock(wechatpay):
    client = WechatPayClient(
        wechatpay.merchant,
        base_url=wechatpay.fake.url,
        clock=lambda: time.time() - 600,
    )

    with pytest.raises(SignError):
        client.query_order("DUES202601000001")


def test_the_fake_refuses_a_body_changed_after_signing(wechatpay):
    order(wechatpay.client)
    url = f"{wechatpay.fake.url}/v3/pay/transactions/out-trade-no/DUES202601000001/close"
    genuine = wechatpay.client._signed_headers("POST", url, '{"mchid":"1900000001"}')
    request = urllib.request.Request(
        url, data=b'{"mchid":"1900000002"}', method="POST", headers=genuine
    )

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 401
    assert json.loads(caught.value.read())["code"] == "SIGN_ERROR"
    assert wechatpay.fake.orders[("1900000001", "DUES202601000001")].state == "NOTPAY"


# -- answers are verified before they are believed ------------------------------------------


def test_an_unsigned_answer_is_refused(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.sign_answers = False

    with pytest.raises(SignatureError):
        wechatpay.client.query_order("DUES202601000001")


def test_an_answer_signed_by_another_key_is_refused(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.platform_key = shared_rsa_key("forger")

    with pytest.raises(SignatureError):
        wechatpay.client.query_order("DUES202601000001")


def test_an_answer_with_a_stale_timestamp_is_refused(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.answer_time_offset = -301

    with pytest.raises(StaleTimestampError):
        wechatpay.client.query_order("DUES202601000001")


def test_an_empty_close_answer_is_verified_too(wechatpay):
    order(wechatpay.client)
    wechatpay.fake.answer_time_offset = -400

    with pytest.raises(StaleTimestampError):
        wechatpay.client.close_order("DUES202601000001")


def test_an_answer_from_a_platform_certificate_the_merchant_does_not_have_is_refused(wechatpay):
    other = self_signed_certificate(shared_rsa_key("other platform"))
    merchant = replace(wechatpay.merchant, verifier=Verifier.build(certificates=[other]))
    client = WechatPayClient(merchant, base_url=wechatpay.fake.url)

    with pytest.raises(UnknownSerialError):
        order(client)


def test_an_unreachable_wechatpay_is_a_retryable_transport_error(wechatpay):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket is closed
    client = WechatPayClient(wechatpay.merchant, base_url=f"http://127.0.0.1:{port}", timeout=2)

    with pytest.raises(TransportError) as caught:
        client.query_order("DUES202601000001")
    assert caught.value.retryable


def test_time_expire_must_be_aware(wechatpay):
    with pytest.raises(ValueError):
        order(wechatpay.client, time_expire=datetime(2026, 1, 5, 18, 0))  # noqa: DTZ001


def test_an_amount_must_be_a_positive_number_of_fen(wechatpay):
    for amount in (0, -5, 15.5, True):
        with pytest.raises(ValueError):
            order(wechatpay.client, amount_fen=amount)


def test_time_expire_is_sent_in_china_time(wechatpay):
    order(wechatpay.client, time_expire=datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("UTC")))

    stored = wechatpay.fake.orders[(wechatpay.merchant.mchid, "DUES202601000001")]
    assert stored.time_expire == "2026-01-05T18:00:00+08:00"
