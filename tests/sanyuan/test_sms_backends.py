"""The development backends keep working behind the batch interface."""

import pytest

from sanyuan.sms import Outcome, SmsConfigurationError, SmsMessage, SmsRecipient, send_batch


def test_the_file_backend_writes_one_line_per_recipient_of_a_batch(sms_outbox):
    results = send_batch(
        "notice",
        [
            SmsRecipient("13900000001", {"title": "会"}, "a"),
            SmsRecipient("13900000002", {"title": "会"}, "b"),
        ],
    )
    assert [r.outcome for r in results] == [Outcome.SENT, Outcome.SENT]
    messages = sms_outbox.messages()
    assert [(m["phone"], m["idempotency_key"], m["template_id"]) for m in messages] == [
        ("13900000001", "a", "SMS_NOTICE"),
        ("13900000002", "b", "SMS_NOTICE"),
    ]


def test_template_id_reads_the_new_template_settings():
    assert SmsMessage("1", "one_time_code", {}).template_id == "SMS_OTP"


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.SMS_BACKEND = "pigeon"
    with pytest.raises(SmsConfigurationError):
        send_batch("notice", [])


def test_a_vendor_backend_without_credentials_is_a_configuration_error(settings):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_TENCENT_SECRET_ID = ""
    with pytest.raises(SmsConfigurationError, match="SMS_TENCENT_SECRET_ID"):
        send_batch("notice", [])
