"""The Aliyun backend through the official SDK against the local fake of dysmsapi."""

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sanyuan.sms import (
    Outcome,
    ReceiptStatus,
    SmsDeliveryError,
    SmsParamError,
    SmsPermanentError,
    SmsRecipient,
    get_backend,
    send_sms,
)
from sanyuan.sms.aliyun_codes import ALIYUN_CODES
from tests.sanyuan.sms_fixtures import SIGN, aliyun_backend


def people(n, title="七月主题党日", start=0):
    return [
        SmsRecipient(phone=f"139{i:08d}", params={"title": title}, out_id=f"d-{i}")
        for i in range(start, start + n)
    ]


def test_one_notice_is_sent_with_its_out_id_and_biz_id(aliyun):
    [result] = aliyun_backend(aliyun).send_batch("notice", people(1))
    assert result.outcome == Outcome.SENT and result.code == "OK"
    assert result.vendor_id and result.request_ref == "d-0"
    [sent] = aliyun.state.sent
    assert (sent.phone, sent.sign_name, sent.template_code) == ("13900000000", SIGN, "SMS_NOTICE")
    assert sent.params == {"title": "七月主题党日"} and sent.out_id == "d-0"


def test_equal_parameters_go_out_by_send_sms_in_calls_of_1000(aliyun):
    results = aliyun_backend(aliyun).send_batch("notice", people(2500))
    assert all(r.outcome == Outcome.SENT for r in results)
    assert aliyun.state.calls == [("SendSms", 1000), ("SendSms", 1000), ("SendSms", 500)]
    assert len({r.vendor_id for r in results}) == 3
    assert [r.out_id for r in results] == [f"d-{i}" for i in range(2500)]


def test_per_number_parameters_go_out_by_send_batch_sms_in_calls_of_100(aliyun):
    batch = [
        SmsRecipient(phone=f"139{i:08d}", params={"title": f"活动{i}"}, out_id=f"d-{i}")
        for i in range(250)
    ]
    results = aliyun_backend(aliyun).send_batch("notice", batch)
    assert all(r.outcome == Outcome.SENT for r in results)
    assert aliyun.state.calls == [
        ("SendBatchSms", 100),
        ("SendBatchSms", 100),
        ("SendBatchSms", 50),
    ]
    assert aliyun.state.sent[7].params == {"title": "活动7"}


def test_one_number_twice_never_shares_a_call(aliyun):
    batch = [
        SmsRecipient("13900000001", {"title": "会"}, "a"),
        SmsRecipient("13900000001", {"title": "会"}, "b"),
    ]
    results = aliyun_backend(aliyun).send_batch("notice", batch)
    assert [r.outcome for r in results] == [Outcome.SENT, Outcome.SENT]
    assert aliyun.state.calls == [("SendSms", 1), ("SendSms", 1)]


def test_an_invalid_number_in_a_batch_marks_only_its_own_delivery(aliyun):
    aliyun.state.invalid_numbers.add("13900000003")
    results = aliyun_backend(aliyun).send_batch("notice", people(5))
    outcomes = [r.outcome for r in results]
    assert outcomes == [Outcome.SENT] * 3 + [Outcome.INVALID_NUMBER] + [Outcome.SENT]
    assert results[3].code == "isv.MOBILE_NUMBER_ILLEGAL" and "核实" in results[3].reason
    assert sorted(m.phone for m in aliyun.state.sent) == [f"139{i:08d}" for i in (0, 1, 2, 4)]


def test_a_malformed_number_is_refused_before_any_call(aliyun):
    [result] = aliyun_backend(aliyun).send_batch(
        "notice", [SmsRecipient("12345", {"title": "会"}, "x")]
    )
    assert result.outcome == Outcome.INVALID_NUMBER and result.code == "LOCAL.INVALID_NUMBER"
    assert aliyun.state.calls == []


def test_a_parameter_that_cannot_fit_fails_only_its_delivery(aliyun):
    batch = [SmsRecipient("13900000001", {"title": "见 https://x.cn/a"}, "a"), *people(1, start=2)]
    results = aliyun_backend(aliyun).send_batch("notice", batch)
    assert results[0].outcome == Outcome.GIVE_UP and "链接" in results[0].reason
    assert results[1].outcome == Outcome.SENT


def test_a_long_title_reaches_the_gateway_cut_to_35_characters(aliyun):
    title = "关于组织全县流动党员参加“学习二十大、奋进新征程”专题网络培训及线上答题活动的通知"
    aliyun_backend(aliyun).send_batch("notice", people(1, title=title))
    [sent] = aliyun.state.sent
    assert len(sent.params["title"]) == 35 and sent.params["title"].endswith("…")


@pytest.mark.parametrize(
    "code", sorted(c for c in ALIYUN_CODES if "." in c and c.split(".")[0] in ("isv", "isp"))
)
def test_each_business_code_maps_to_its_outcome(aliyun, code):
    aliyun.fail_next(code)
    [result] = aliyun_backend(aliyun).send_batch("notice", people(1))
    assert (result.outcome, result.code) == (ALIYUN_CODES[code].outcome, code)
    assert result.reason == ALIYUN_CODES[code].reason


def test_rate_limit_then_success_on_the_next_attempt(aliyun):
    aliyun.fail_next("isv.BUSINESS_LIMIT_CONTROL", calls=1)
    backend = aliyun_backend(aliyun)
    assert backend.send_batch("notice", people(3))[0].outcome == Outcome.RETRY
    assert [r.outcome for r in backend.send_batch("notice", people(3))] == [Outcome.SENT] * 3
    assert len(aliyun.state.sent) == 3


def test_balance_exhausted_is_a_dead_letter(aliyun):
    aliyun.state.balance_exhausted = True
    [result] = aliyun_backend(aliyun).send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.DEAD_LETTER, "isv.AMOUNT_NOT_ENOUGH")


def test_an_outage_is_a_retry(aliyun):
    aliyun.state.outage = True
    [result] = aliyun_backend(aliyun).send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.RETRY, "ServiceUnavailable")


def test_an_unreachable_gateway_is_a_retry(aliyun):
    backend = aliyun_backend(aliyun)
    aliyun.stop()
    [result] = backend.send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.RETRY, "NETWORK")
    aliyun.start = lambda: None  # the fixture stops it again


def test_an_unknown_template_and_an_unknown_sign_are_dead_letters(aliyun):
    [result] = aliyun_backend(aliyun).send_batch("unapproved", people(1))
    assert (result.outcome, result.code) == (Outcome.DEAD_LETTER, "isv.SMS_TEMPLATE_ILLEGAL")
    [result] = aliyun_backend(aliyun, sign="别的签名").send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.DEAD_LETTER, "isv.SMS_SIGNATURE_ILLEGAL")


def test_a_wrong_secret_is_refused_by_the_gateway(aliyun):
    [result] = aliyun_backend(aliyun, secret="not-the-secret").send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.DEAD_LETTER, "SignatureDoesNotMatch")
    assert aliyun.state.sent == []


def test_an_unknown_access_key_is_refused_by_the_gateway(aliyun):
    [result] = aliyun_backend(aliyun, key_id="LTAIunknown").send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.DEAD_LETTER, "InvalidAccessKeyId.NotFound")


def signed_request(fake, *, action="SendSms", query="", date=None, nonce=None):
    """A request signed by hand (as the SDK would) with a chosen date and nonce."""
    body = b""
    headers = {
        "host": fake.endpoint,
        "x-acs-action": action,
        "x-acs-version": "2017-05-25",
        "x-acs-date": (date or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
    }
    names = sorted(headers)
    signature = fake.signature("POST", "/", query, headers, names, headers["x-acs-content-sha256"])
    headers["Authorization"] = (
        f"ACS3-HMAC-SHA256 Credential={fake.state.access_key_id},"
        f"SignedHeaders={';'.join(names)},Signature={signature}"
    )
    request = urllib.request.Request(
        f"http://{fake.endpoint}/?{query}", headers=headers, method="POST"
    )
    with urllib.request.urlopen(request) as response:
        return response.status, json.loads(response.read())


def test_a_stale_timestamp_and_a_reused_nonce_are_refused(aliyun):
    query = "PhoneNumbers=13900000001&SignName=%E4%B8%89&TemplateCode=SMS_NOTICE"
    with pytest.raises(urllib.error.HTTPError) as stale:
        signed_request(aliyun, query=query, date=datetime.now(UTC) - timedelta(minutes=16))
    assert json.loads(stale.value.read())["Code"] == "InvalidTimeStamp.Expired"
    status, body = signed_request(aliyun, query=query, nonce="n-1")
    assert status == 200 and body["Code"] == "isv.SMS_SIGNATURE_ILLEGAL"  # signature accepted
    with pytest.raises(urllib.error.HTTPError) as reused:
        signed_request(aliyun, query=query, nonce="n-1")
    assert json.loads(reused.value.read())["Code"] == "SignatureNonceUsed"


def test_more_than_1000_numbers_in_one_call_are_refused_by_the_gateway(aliyun):
    numbers = ",".join(f"139{i:08d}" for i in range(1001))
    status, body = signed_request(
        aliyun, query=f"PhoneNumbers={numbers}&SignName=x&TemplateCode=SMS_NOTICE"
    )
    assert body["Code"] == "isv.MOBILE_COUNT_OVER_LIMIT"


def test_receipts_are_read_page_by_page_and_matched_on_out_id(aliyun):
    backend = aliyun_backend(aliyun)
    for i in range(60):
        backend.send_batch("notice", [SmsRecipient("13900000001", {"title": "会"}, f"d-{i}")])
    aliyun.state.sent[59].status, aliyun.state.sent[59].err_code = 2, "MK:0001"
    today = timezone.localdate()
    receipts = backend.query_receipts(phone="13900000001", send_date=today)
    assert len(receipts) == 60
    [failed] = backend.query_receipts(phone="13900000001", send_date=today, request_refs={"d-59"})
    assert (failed.status, failed.code, failed.request_ref) == (
        ReceiptStatus.FAILED,
        "MK:0001",
        "d-59",
    )
    [ok] = backend.query_receipts(phone="13900000001", send_date=today, request_refs={"d-3"})
    assert ok.status == ReceiptStatus.DELIVERED and ok.reported_at is not None


def test_receipts_older_than_30_days_cannot_be_asked_for(aliyun):
    with pytest.raises(ValueError, match="30 天"):
        aliyun_backend(aliyun).query_receipts(
            phone="13900000001", send_date=timezone.localdate() - timedelta(days=30)
        )


def configure_aliyun(settings, fake):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = fake.state.access_key_id
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = fake.state.access_key_secret
    settings.SMS_ALIYUN_ENDPOINT = fake.endpoint
    settings.SMS_ALIYUN_PROTOCOL = "http"
    settings.SMS_SIGN_NAME = SIGN
    settings.SMS_TEMPLATES = {
        "one_time_code": {
            "code": "SMS_OTP",
            "params": {"code": None, "minutes": 3},
            "types": {"code": "code", "minutes": "number"},
        }
    }


def test_send_sms_uses_the_configured_backend_for_one_time_codes(aliyun, settings):
    configure_aliyun(settings, aliyun)
    send_sms(
        phone="13900000001",
        template="one_time_code",
        params={"code": "123456", "minutes": 10},
        idempotency_key="one-time-code-7",
    )
    [sent] = aliyun.state.sent
    assert sent.params == {"code": "123456", "minutes": "10"} and sent.out_id == "one-time-code-7"
    assert type(get_backend()).__name__ == "AliyunBackend"


def test_send_sms_raises_a_retryable_error_for_a_rate_limit(aliyun, settings):
    configure_aliyun(settings, aliyun)
    aliyun.fail_next("isv.BUSINESS_LIMIT_CONTROL")
    with pytest.raises(SmsDeliveryError) as caught:
        send_sms(
            phone="13900000001", template="one_time_code", params={"code": "123456", "minutes": 10}
        )
    assert caught.value.retryable and caught.value.result.outcome == Outcome.RETRY


def test_send_sms_raises_a_permanent_error_for_a_dead_letter_and_a_bad_code(aliyun, settings):
    configure_aliyun(settings, aliyun)
    aliyun.state.balance_exhausted = True
    with pytest.raises(SmsPermanentError) as caught:
        send_sms(
            phone="13900000001", template="one_time_code", params={"code": "123456", "minutes": 10}
        )
    assert not caught.value.retryable and caught.value.result.outcome == Outcome.DEAD_LETTER
    with pytest.raises(SmsParamError, match="验证码"):
        send_sms(
            phone="13900000001", template="one_time_code", params={"code": "1234567", "minutes": 10}
        )
