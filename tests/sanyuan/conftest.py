import pytest

from tests.fakes.aliyun_sms import FakeAliyunSms
from tests.fakes.tencent_sms import FakeTencentSms


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
