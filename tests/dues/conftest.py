import pytest


@pytest.fixture
def frozen_today(monkeypatch):
    """Freeze `timezone.localdate()`/`now()` for the dues code at a given day."""
    from datetime import datetime, time

    from django.utils import timezone

    def freeze(day):
        moment = timezone.make_aware(datetime.combine(day, time(12)))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture(params=["certificate", "public_key"])
def pay(request, world, wechat_fake, settings, tmp_path):
    """A WeChat Pay merchant collecting for the county (local fake of the v3 API that checks
    every signature), the WeChat API fake for the codes, and member_a with a dues account
    since two months ago (4,000 yuan base: 40.00 a month)."""
    from types import SimpleNamespace

    from dues import months as m
    from tests.conftest import WECHAT_MINI_APP, WECHAT_MP_APP
    from tests.dues.factories import account
    from tests.fakes.wechatpay import FakeWechatPay

    with FakeWechatPay(mode=request.param) as fake:
        entry = fake.configure_merchant(
            tmp_path,
            appids=(WECHAT_MP_APP[0], WECHAT_MINI_APP[0]),
            organizations=[world.county.code],
        )
        settings.WECHATPAY_MERCHANTS = [entry]
        settings.WECHATPAY_BASE_URL = fake.url
        settings.WECHATPAY_NOTIFY_URL = "https://ldej.example.gov.cn/api/payments/wechat/notify/"
        start = m.add(m.this_month(), -2)
        account(world, base_fen=400_000, starts_on=start)
        yield SimpleNamespace(
            fake=fake, wechat=wechat_fake, mchid=entry["mchid"], w=world, start=start
        )
