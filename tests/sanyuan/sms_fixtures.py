"""Fake gateways and backends pointed at them, for the SMS tests."""

from sanyuan.sms.aliyun import AliyunBackend, AliyunConfig
from sanyuan.sms.tencent import TencentBackend, TencentConfig

SIGN = "三原县委组织部"
TEMPLATES = {
    "notice": {"code": "SMS_NOTICE", "params": {"title": None}},
    "one_time_code": {
        "code": "SMS_OTP",
        "params": {"code": None, "minutes": 3},
        "types": {"code": "code", "minutes": "number"},
    },
    "unapproved": {"code": "SMS_NOT_APPROVED", "params": {"title": None}},
}


def aliyun_backend(fake, *, secret=None, key_id=None, templates=TEMPLATES, sign=SIGN):
    config = AliyunConfig(
        key_id or fake.state.access_key_id,
        secret or fake.state.access_key_secret,
        endpoint=fake.endpoint,
        protocol="http",
        timeout_seconds=2,
    )
    return AliyunBackend(config=config, sign_name=sign, templates=templates)


def tencent_backend(fake, *, secret=None, templates=TEMPLATES, sign=SIGN):
    state = fake.state
    config = TencentConfig(
        state.secret_id,
        secret or state.secret_key,
        state.sdk_app_id,
        endpoint=fake.endpoint,
        protocol="http",
        timeout_seconds=2,
    )
    return TencentBackend(config=config, sign_name=sign, templates=templates)
