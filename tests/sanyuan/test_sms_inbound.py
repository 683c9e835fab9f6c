"""Replies (opt-out) and callback checks: Aliyun SmsUp (HTTP push and MNS), Tencent replies."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from sanyuan.sms import SmsCallbackRejected, is_opt_out
from sanyuan.sms.inbound import (
    check_callback_token,
    parse_aliyun_sms_up,
    parse_mns_notification,
    parse_tencent_reply,
    verify_mns_push,
)
from tests.fakes.mns import FakeMnsSigner

SMS_UP = {
    "phone_number": "13900000001",
    "content": "退订",
    "send_time": "2026-07-01 20:15:03",
    "dest_code": "1234",
    "sequence_id": "1234567890",
}


def test_aliyun_http_push_gives_phone_text_and_beijing_time():
    [reply] = parse_aliyun_sms_up(json.dumps([SMS_UP], ensure_ascii=False).encode())
    assert (reply.phone, reply.text) == ("13900000001", "退订")
    assert reply.received_at == datetime(2026, 7, 1, 12, 15, 3, tzinfo=UTC)
    assert is_opt_out(reply.text)


@pytest.mark.parametrize(
    "body", [b"{}", b"[{}]", b"oops", b'[{"phone_number": "1", "content": "R", "send_time": "x"}]']
)
def test_a_malformed_aliyun_push_is_refused(body):
    with pytest.raises(SmsCallbackRejected):
        parse_aliyun_sms_up(body)


def test_the_callback_token_must_match():
    check_callback_token("s3cret-token", "s3cret-token")
    for given, expected in [("wrong", "s3cret-token"), ("", "s3cret-token"), ("", "")]:
        with pytest.raises(SmsCallbackRejected):
            check_callback_token(given, expected)


@pytest.fixture
def mns():
    with FakeMnsSigner() as signer:
        yield signer


def verify(mns, body, headers, **kw):
    verify_mns_push(
        method="POST",
        path=kw.pop("path", "/notifications"),
        headers=headers,
        body=body,
        allowed_cert_prefixes=kw.pop("prefixes", [mns.cert_url_prefix]),
        **kw,
    )


def test_an_mns_push_signed_as_documented_is_accepted_and_parsed(mns):
    body = json.dumps(
        {"TopicOwner": "1", "Message": json.dumps(SMS_UP), "MessageId": "m1"}
    ).encode()
    verify(mns, body, mns.push_headers(body))
    [reply] = parse_mns_notification(body)
    assert (reply.phone, reply.text) == ("13900000001", "退订")


def test_an_mns_push_with_a_changed_body_is_refused(mns):
    body = json.dumps({"Message": json.dumps(SMS_UP)}).encode()
    headers = mns.push_headers(body)
    with pytest.raises(SmsCallbackRejected, match="Content-MD5"):
        verify(mns, body.replace(b"1390", b"1380"), headers)
    headers.pop("Content-MD5")
    with pytest.raises(SmsCallbackRejected, match="签名"):
        verify(mns, body, headers)  # the signature covered the MD5 header


def test_an_mns_push_signed_by_another_key_is_refused(mns):
    body = b'{"Message": "{}"}'
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SmsCallbackRejected, match="签名"):
        verify(mns, body, mns.push_headers(body, key=other))


def test_an_mns_push_for_another_path_is_refused(mns):
    body = b'{"Message": "{}"}'
    with pytest.raises(SmsCallbackRejected, match="签名"):
        verify(mns, body, mns.push_headers(body, path="/elsewhere"))


def test_an_mns_push_older_than_15_minutes_is_refused(mns):
    body = b'{"Message": "{}"}'
    headers = mns.push_headers(body, date=datetime.now(UTC) - timedelta(minutes=16))
    with pytest.raises(SmsCallbackRejected, match="15"):
        verify(mns, body, headers)


def test_a_certificate_from_an_unlisted_address_is_refused(mns):
    body = b'{"Message": "{}"}'
    with pytest.raises(SmsCallbackRejected, match="证书"):
        verify(
            mns,
            body,
            mns.push_headers(body),
            prefixes=["https://mnstest.oss-cn-hangzhou.aliyuncs.com/"],
        )


def test_mns_xml_and_simplified_formats_are_parsed():
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><Notification xmlns="http://mns.aliyuncs.com/doc/v1/">'
        f"<TopicOwner>1</TopicOwner><Message>{json.dumps(SMS_UP)}</Message></Notification>"
    ).encode()
    assert parse_mns_notification(xml)[0].phone == "13900000001"
    assert parse_mns_notification(json.dumps(SMS_UP).encode())[0].text == "退订"


def test_tencent_reply_gives_phone_text_and_time():
    body = json.dumps(
        {
            "extend": "",
            "mobile": "13900000001",
            "nationcode": "86",
            "sign": "三原县委组织部",
            "text": "TD",
            "time": 1457336869,
        }
    ).encode()
    reply = parse_tencent_reply(body)
    assert (reply.phone, reply.text, reply.extra["sign"]) == ("13900000001", "TD", "三原县委组织部")
    assert reply.received_at == datetime.fromtimestamp(1457336869, UTC)
    assert is_opt_out(reply.text)


@pytest.mark.parametrize(
    "item",
    [
        {},
        {"mobile": "1", "text": "TD"},
        {"mobile": "1", "text": "TD", "time": "x"},
        {"mobile": "1", "text": "TD", "time": 1, "nationcode": "852"},
    ],
)
def test_a_malformed_or_foreign_tencent_reply_is_refused(item):
    with pytest.raises(SmsCallbackRejected):
        parse_tencent_reply(json.dumps(item).encode())


def test_cert_url_header_is_base64(mns):
    body = b"{}"
    url = base64.b64decode(mns.push_headers(body)["x-mns-signing-cert-url"]).decode()
    assert url.startswith(mns.cert_url_prefix)
