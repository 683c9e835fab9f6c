"""Fixtures of the shared-plumbing tests: fakes of the SMS gateways (Aliyun, Tencent) and of
WeChat Pay on free ports, and a client of one merchant talking to it, in both verification
modes (platform certificate, public key)."""

from types import SimpleNamespace

import pytest

from sanyuan.wechatpay import Merchant, Verifier, WechatPayClient
from tests.fakes.aliyun_sms import FakeAliyunSms
from tests.fakes.tencent_sms import FakeTencentSms
from tests.fakes.wechatpay import FakeWechatPay
from tests.fakes.wechatpay_keys import apiv3_key, shared_rsa_key

MCHID = "1900000001"
PUBLIC_ACCOUNT_APPID = "wxd678efh567hg6787"
MINI_PROGRAM_APPID = "wx8888888888888888"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"


@pytest.fixture(scope="session")
def merchant_key():
    return shared_rsa_key("merchant")


@pytest.fixture(scope="session")
def platform_key():
    return shared_rsa_key("platform")


def verifier_for(fake: FakeWechatPay) -> Verifier:
    """The verification key a merchant would download from its merchant platform."""
    if fake.mode == "public_key":
        return Verifier.build(
            public_key=fake.platform_key.public_key(), public_key_id=fake.public_key_id
        )
    return Verifier.build(certificates=[fake.platform_certificate])


def merchant_for(fake, key, *, mchid=MCHID, apiv3=None, organizations=()) -> Merchant:
    """Register a merchant with the fake and return its configuration for the client."""
    apiv3 = apiv3 or apiv3_key()
    appids = (PUBLIC_ACCOUNT_APPID, MINI_PROGRAM_APPID)
    fake.add_merchant(
        mchid=mchid,
        serial_no=MERCHANT_SERIAL,
        public_key=key.public_key(),
        apiv3_key=apiv3,
        appids=appids,
    )
    return Merchant(
        mchid=mchid,
        appids=appids,
        serial_no=MERCHANT_SERIAL,
        private_key=key,
        apiv3_key=apiv3,
        verifier=verifier_for(fake),
        organizations=tuple(organizations),
    )


NOTIFY_URL = "https://ldej.example.gov.cn/api/payments/wechat/notify/"


@pytest.fixture(params=["certificate", "public_key"])
def wechatpay(request, merchant_key, platform_key, settings):
    """`.fake`, `.merchant`, `.client`: one merchant against a running fake."""
    settings.WECHATPAY_NOTIFY_URL = NOTIFY_URL
    with FakeWechatPay(mode=request.param, platform_key=platform_key) as fake:
        merchant = merchant_for(fake, merchant_key)
        client = WechatPayClient(merchant, base_url=fake.url, timeout=5)
        yield SimpleNamespace(fake=fake, merchant=merchant, client=client)


@pytest.fixture
def aliyun():
    with FakeAliyunSms() as fake:
        fake.add_template("SMS_NOTICE", {"title": 35})
        fake.add_template("SMS_OTP", {"code": 6, "minutes": 3})
        yield fake


@pytest.fixture
def tencent():
    with FakeTencentSms() as fake:
        fake.add_template("SMS_NOTICE", [12])
        fake.add_template("SMS_OTP", [6, 3])
        yield fake
