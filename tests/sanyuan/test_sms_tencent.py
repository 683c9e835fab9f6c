"""The Tencent backend through the official SDK against the local fake of SMS 2021-01-11."""

import hashlib
import json
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from sanyuan.sms import Outcome, ReceiptStatus, SmsCallbackRejected, SmsRecipient
from sanyuan.sms.tencent import parse_status_callback
from sanyuan.sms.tencent_codes import TENCENT_CODES
from tests.sanyuan.sms_fixtures import SIGN, tencent_backend


def people(n, title="主题党日", start=0):
    return [
        SmsRecipient(phone=f"139{i:08d}", params={"title": title}, out_id=f"d-{i}")
        for i in range(start, start + n)
    ]


def test_one_notice_is_sent_with_its_serial_number(tencent):
    [result] = tencent_backend(tencent).send_batch("notice", people(1))
    assert (result.outcome, result.code, result.request_ref) == (Outcome.SENT, "Ok", "d-0")
    [sent] = tencent.state.sent
    assert (sent.phone, sent.sign_name, sent.template_id) == ("+8613900000000", SIGN, "SMS_NOTICE")
    assert sent.params == ["主题党日"] and sent.serial_no == result.vendor_id
    assert sent.session_context == "d-0"


def test_numbers_go_out_in_calls_of_200(tencent):
    results = tencent_backend(tencent).send_batch("notice", people(450))
    assert all(r.outcome == Outcome.SENT for r in results)
    assert tencent.state.calls == [("SendSms", 200), ("SendSms", 200), ("SendSms", 50)]
    assert len({r.vendor_id for r in results}) == 450


def test_different_parameters_need_separate_calls(tencent):
    batch = [SmsRecipient(f"139{i:08d}", {"title": f"会{i % 2}"}, f"d-{i}") for i in range(6)]
    tencent_backend(tencent).send_batch("notice", batch)
    assert tencent.state.calls == [("SendSms", 3), ("SendSms", 3)]
    assert sorted(m.params[0] for m in tencent.state.sent) == ["会0"] * 3 + ["会1"] * 3


def test_send_status_set_is_judged_number_by_number(tencent):
    tencent.state.invalid_numbers.add("13900000001")
    tencent.state.number_failures["13900000003"] = "LimitExceeded.PhoneNumberThirtySecondLimit"
    results = tencent_backend(tencent).send_batch("notice", people(5))
    assert [r.outcome for r in results] == [
        Outcome.SENT,
        Outcome.INVALID_NUMBER,
        Outcome.SENT,
        Outcome.RETRY,
        Outcome.SENT,
    ]
    assert results[1].code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert tencent.state.calls == [("SendSms", 5)]
    assert len(tencent.state.sent) == 3


def test_balance_exhausted_is_a_dead_letter_for_each_number(tencent):
    tencent.state.balance_exhausted = True
    results = tencent_backend(tencent).send_batch("notice", people(2))
    assert {(r.outcome, r.code) for r in results} == {
        (Outcome.DEAD_LETTER, "FailedOperation.InsufficientBalanceInSmsPackage")
    }


@pytest.mark.parametrize("code", sorted(TENCENT_CODES))
def test_each_code_maps_to_its_outcome(tencent, code):
    tencent.fail_next(code)
    [result] = tencent_backend(tencent).send_batch("notice", people(1))
    if code in ("ClientNetworkError", "ServerNetworkError"):  # the SDK's own, not the API's
        assert result.outcome == TENCENT_CODES[code].outcome
        return
    assert (result.outcome, result.code, result.reason) == (
        TENCENT_CODES[code].outcome,
        code,
        TENCENT_CODES[code].reason,
    )


def test_an_unknown_internal_error_is_a_retry_by_its_prefix(tencent):
    tencent.fail_next("InternalError.SomethingNew")
    [result] = tencent_backend(tencent).send_batch("notice", people(1))
    assert result.outcome == Outcome.RETRY


def test_an_outage_is_a_retry(tencent):
    tencent.state.outage = True
    [result] = tencent_backend(tencent).send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.RETRY, "ServerNetworkError")


def test_an_unknown_template_and_sign_are_dead_letters(tencent):
    [result] = tencent_backend(tencent).send_batch("unapproved", people(1))
    assert result.code == "FailedOperation.TemplateIncorrectOrUnapproved"
    [result] = tencent_backend(tencent, sign="别的签名").send_batch("notice", people(1))
    assert (result.outcome, result.code) == (
        Outcome.DEAD_LETTER,
        "FailedOperation.SignatureIncorrectOrUnapproved",
    )


def test_a_wrong_secret_key_is_refused_by_the_gateway(tencent):
    [result] = tencent_backend(tencent, secret="wrong").send_batch("notice", people(1))
    assert (result.outcome, result.code) == (Outcome.DEAD_LETTER, "AuthFailure.SignatureFailure")
    assert tencent.state.sent == []


def test_a_one_time_code_template_takes_two_ordered_parameters(tencent):
    batch = [SmsRecipient("13900000001", {"minutes": 10, "code": "012345"}, "otc-1")]
    [result] = tencent_backend(tencent).send_batch("one_time_code", batch)
    assert result.outcome == Outcome.SENT
    assert tencent.state.sent[0].params == ["012345", "10"]


def test_a_title_is_cut_to_12_characters_before_it_reaches_the_gateway(tencent):
    tencent_backend(tencent).send_batch("notice", people(1, title="关于开展七月主题党日活动的通知"))
    assert tencent.state.sent[0].params == ["关于开展七月主题党日活…"]


def signed_call(fake, params, *, stamp=None):
    body = json.dumps(params).encode()
    stamp = stamp or int(datetime.now(UTC).timestamp())
    day = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
    headers = {"content-type": "application/json", "host": fake.endpoint}

    class Req:
        method, raw_query = "POST", ""

    Req.body = body
    signature = fake.signature(Req, headers, ["content-type", "host"], day, stamp)
    headers.update(
        {
            "Authorization": f"TC3-HMAC-SHA256 Credential={fake.state.secret_id}/{day}/sms/tc3_request, "
            f"SignedHeaders=content-type;host, Signature={signature}",
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": "ap-guangzhou",
            "X-TC-Timestamp": str(stamp),
        }
    )
    request = urllib.request.Request(f"http://{fake.endpoint}/", data=body, headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["Response"]


def test_a_stale_timestamp_is_refused(tencent):
    old = int((datetime.now(UTC) - timedelta(minutes=6)).timestamp())
    answer = signed_call(tencent, {"PhoneNumberSet": ["+8613900000001"]}, stamp=old)
    assert answer["Error"]["Code"] == "AuthFailure.SignatureExpire"


def test_more_than_200_numbers_are_refused_by_the_gateway(tencent):
    numbers = [f"+86139{i:08d}" for i in range(201)]
    answer = signed_call(tencent, {"PhoneNumberSet": numbers, "SmsSdkAppId": "1400000001"})
    assert answer["Error"]["Code"] == "LimitExceeded.PhoneNumberCountLimit"


def test_a_tampered_body_fails_the_signature(tencent):
    good = signed_call(tencent, {"PhoneNumberSet": ["+8613900000001"]})
    assert good["Error"]["Code"] != "AuthFailure.SignatureFailure"  # signature itself accepted
    stamp = int(datetime.now(UTC).timestamp())
    day = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
    body = b'{"PhoneNumberSet": ["+8613900000002"]}'
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"TC3-HMAC-SHA256 Credential={tencent.state.secret_id}/{day}/sms/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={hashlib.sha256(b'x').hexdigest()}",
        "X-TC-Action": "SendSms",
        "X-TC-Version": "2021-01-11",
        "X-TC-Region": "ap-guangzhou",
        "X-TC-Timestamp": str(stamp),
    }
    request = urllib.request.Request(f"http://{tencent.endpoint}/", data=body, headers=headers)
    with urllib.request.urlopen(request) as response:
        answer = json.loads(response.read())["Response"]
    assert answer["Error"]["Code"] == "AuthFailure.SignatureFailure"


def test_the_status_callback_gives_one_receipt_per_item_keyed_by_serial_number(tencent):
    results = tencent_backend(tencent).send_batch("notice", people(2))
    receipts = parse_status_callback(tencent.status_callback_body())
    assert [r.vendor_id for r in receipts] == [r.vendor_id for r in results]
    assert receipts[0].status == ReceiptStatus.DELIVERED and receipts[0].phone == "13900000000"
    failed = parse_status_callback(tencent.status_callback_body("FAIL", "MK:0001"))
    assert failed[0].status == ReceiptStatus.FAILED and failed[0].code == "MK:0001"
    assert failed[0].reported_at.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("body", [b"{}", b"not json", b'[{"mobile": "1"}]'])
def test_a_malformed_status_callback_is_refused(body):
    with pytest.raises(SmsCallbackRejected):
        parse_status_callback(body)
