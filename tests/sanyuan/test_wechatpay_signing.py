"""Request signing, answer/callback verification and resource decryption, checked against
vectors computed here from the documented formats with `cryptography` directly."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from sanyuan.wechatpay import (
    DecryptionError,
    SignatureError,
    StaleTimestampError,
    UnknownSerialError,
    Verifier,
)
from sanyuan.wechatpay.signing import (
    authorization_header,
    canonical_url,
    decrypt_resource,
    new_nonce,
    pay_sign,
    request_message,
)
from tests.fakes.wechatpay_keys import (
    aes_gcm_encrypt,
    apiv3_key,
    certificate_serial_hex,
    self_signed_certificate,
    shared_rsa_key,
)

# The example of the signature guide (签名生成): a JSAPI order body, its timestamp and nonce.
TIMESTAMP = 1554208460
NONCE = "593BEC0C930BF1AFEB40B4A08C8FB242"
BODY = json.dumps(
    {
        "appid": "wxd678efh567hg6787",
        "mchid": "1230000109",
        "description": "三原县党费",
        "out_trade_no": "1217752501201407033233368018",
        "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
        "amount": {"total": 100, "currency": "CNY"},
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    },
    ensure_ascii=False,
)


def expected_signature(key, message: str) -> str:
    raw = key.sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def test_request_signature_matches_the_documented_message_signed_independently(merchant_key):
    message = (
        "POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n"
        + BODY
        + "\n"
    )
    signature = expected_signature(merchant_key, message)

    header = authorization_header(
        mchid="1230000109",
        serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        private_key=merchant_key,
        method="POST",
        url="https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi",
        body=BODY,
        timestamp=TIMESTAMP,
        nonce=NONCE,
    )

    assert header == (
        'WECHATPAY2-SHA256-RSA2048 mchid="1230000109",'
        'nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",'
        f'signature="{signature}",timestamp="1554208460",'
        'serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"'
    )


def test_a_get_request_signs_path_and_query_with_an_empty_body_line():
    url = "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/DUES-1?mchid=1900000001"

    assert canonical_url(url) == "/v3/pay/transactions/out-trade-no/DUES-1?mchid=1900000001"
    assert request_message("get", url, TIMESTAMP, NONCE, "") == (
        "GET\n/v3/pay/transactions/out-trade-no/DUES-1?mchid=1900000001\n"
        "1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
    )


def test_pay_sign_signs_appid_timestamp_nonce_and_package(merchant_key):
    message = (
        "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n"
        "prepay_id=wx201410272009395522657a690389285100\n"
    )

    signature = pay_sign(
        merchant_key,
        appid="wx8888888888888888",
        timestamp="1414561699",
        nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
        package="prepay_id=wx201410272009395522657a690389285100",
    )

    assert signature == expected_signature(merchant_key, message)


def test_nonces_are_32_letters_and_digits_and_differ():
    first, second = new_nonce(), new_nonce()

    assert len(first) == 32 and first.isalnum() and first != second


def signed(key, body: bytes, *, timestamp: int, serial: str, nonce="n0nce") -> dict:
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return {
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature": expected_signature(key, message.decode()),
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
    }


@pytest.fixture
def certificate(platform_key):
    return self_signed_certificate(platform_key)


BODY_BYTES = b'{"prepay_id":"wx26112221580621e9b071c00d9e093b0000"}'
NOW = 1_700_000_000


def test_an_answer_signed_by_the_platform_certificate_verifies(platform_key, certificate):
    serial = certificate_serial_hex(certificate)
    verifier = Verifier.build(certificates=[certificate])
    headers = signed(platform_key, BODY_BYTES, timestamp=NOW, serial=serial.lower())

    assert verifier.verify(headers, BODY_BYTES, now=NOW + 10) == serial.lower()


def test_an_answer_signed_by_the_wechatpay_public_key_verifies(platform_key):
    verifier = Verifier.build(
        public_key=platform_key.public_key(), public_key_id="PUB_KEY_ID_0114232134912410000"
    )
    headers = signed(
        platform_key, BODY_BYTES, timestamp=NOW, serial="PUB_KEY_ID_0114232134912410000"
    )

    verifier.verify(headers, BODY_BYTES, now=NOW)


def test_a_merchant_with_both_keys_verifies_either(platform_key, certificate):
    other = shared_rsa_key("second platform")
    verifier = Verifier.build(
        certificates=[certificate], public_key=other.public_key(), public_key_id="PUB_KEY_ID_01"
    )

    verifier.verify(
        signed(other, BODY_BYTES, timestamp=NOW, serial="PUB_KEY_ID_01"), BODY_BYTES, now=NOW
    )
    verifier.verify(
        signed(platform_key, BODY_BYTES, timestamp=NOW, serial=certificate_serial_hex(certificate)),
        BODY_BYTES,
        now=NOW,
    )


@pytest.mark.parametrize(
    "tamper, error",
    [
        (lambda h, b: (h, b + b" "), SignatureError),  # body changed after signing
        (lambda h, b: ({**h, "Wechatpay-Nonce": "other"}, b), SignatureError),
        (lambda h, b: ({**h, "Wechatpay-Timestamp": str(NOW + 1)}, b), SignatureError),
        (lambda h, b: ({**h, "Wechatpay-Signature": "WECHATPAY/SIGNTEST/abc"}, b), SignatureError),
        (lambda h, b: ({**h, "Wechatpay-Signature": "not base64!"}, b), SignatureError),
        (lambda h, b: ({k: v for k, v in h.items() if k != "Wechatpay-Nonce"}, b), SignatureError),
        (lambda h, b: ({**h, "Wechatpay-Serial": "ABCDEF"}, b), UnknownSerialError),
        (lambda h, b: ({**h, "Wechatpay-Serial": "PUB_KEY_ID_09"}, b), UnknownSerialError),
    ],
)
def test_a_tampered_answer_is_refused(platform_key, certificate, tamper, error):
    verifier = Verifier.build(certificates=[certificate])
    headers = signed(
        platform_key, BODY_BYTES, timestamp=NOW, serial=certificate_serial_hex(certificate)
    )
    headers, body = tamper(headers, BODY_BYTES)

    with pytest.raises(error):
        verifier.verify(headers, body, now=NOW)


def test_an_answer_signed_with_another_key_under_the_right_serial_is_refused(certificate):
    forger = shared_rsa_key("forger")
    headers = signed(forger, BODY_BYTES, timestamp=NOW, serial=certificate_serial_hex(certificate))

    with pytest.raises(SignatureError):
        Verifier.build(certificates=[certificate]).verify(headers, BODY_BYTES, now=NOW)


@pytest.mark.parametrize("offset", [-300, -3600, 300])
def test_a_timestamp_five_minutes_or_more_away_is_refused(platform_key, certificate, offset):
    headers = signed(
        platform_key, BODY_BYTES, timestamp=NOW + offset, serial=certificate_serial_hex(certificate)
    )

    with pytest.raises(StaleTimestampError):
        Verifier.build(certificates=[certificate]).verify(headers, BODY_BYTES, now=NOW)


def test_a_timestamp_just_under_five_minutes_old_is_accepted(platform_key, certificate):
    headers = signed(
        platform_key, BODY_BYTES, timestamp=NOW - 299, serial=certificate_serial_hex(certificate)
    )

    Verifier.build(certificates=[certificate]).verify(headers, BODY_BYTES, now=NOW)


def test_header_names_are_matched_whatever_their_case(platform_key, certificate):
    headers = signed(
        platform_key, BODY_BYTES, timestamp=NOW, serial=certificate_serial_hex(certificate)
    )
    lowered = {name.lower(): value for name, value in headers.items()}

    Verifier.build(certificates=[certificate]).verify(lowered, BODY_BYTES, now=NOW)


def test_a_public_key_id_must_look_like_one(platform_key):
    with pytest.raises(ValueError):
        Verifier.build(public_key=platform_key.public_key(), public_key_id="1234")


def test_the_callback_resource_decrypts_with_the_apiv3_key():
    key = apiv3_key()
    resource = aes_gcm_encrypt(key, b'{"out_trade_no":"DUES-1"}', "transaction")

    plaintext = decrypt_resource(
        key,
        ciphertext=resource["ciphertext"],
        nonce=resource["nonce"],
        associated_data=resource["associated_data"],
    )

    assert plaintext == b'{"out_trade_no":"DUES-1"}'


@pytest.mark.parametrize(
    "change",
    [
        {"key": b"0" * 32},
        {"associated_data": "refund"},
        {"nonce": "000000000000"},
        {"ciphertext": base64.b64encode(b"x" * 40).decode()},
        {"ciphertext": "%%% not base64"},
        {"key": b"short"},
    ],
)
def test_a_resource_that_does_not_open_is_refused(change):
    key = apiv3_key()
    resource = aes_gcm_encrypt(key, b'{"out_trade_no":"DUES-1"}', "transaction")
    arguments = {
        "ciphertext": resource["ciphertext"],
        "nonce": resource["nonce"],
        "associated_data": "transaction",
    }
    arguments.update({k: v for k, v in change.items() if k != "key"})

    with pytest.raises(DecryptionError):
        decrypt_resource(change.get("key", key), **arguments)
