"""The daily trade bill: downloaded, hash-checked and parsed; a tampered one refused."""

import gzip
import hashlib
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from sanyuan.wechatpay import (
    BillIntegrityError,
    BillNotFound,
    BillNotReady,
    VerificationError,
    WechatPayClient,
    check_bill_hash,
    parse_trade_bill,
)
from tests.fakes.wechatpay import FakeWechatPay
from tests.sanyuan.conftest import PUBLIC_ACCOUNT_APPID, merchant_for

CHINA = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 1, 5)
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=CHINA).timestamp()


@pytest.fixture
def billing(merchant_key, platform_key, settings):
    """A fake and a client whose clocks both read 2026-01-05 12:00 in China."""
    settings.WECHATPAY_NOTIFY_URL = "https://ldej.example.gov.cn/api/payments/wechat/notify/"
    with FakeWechatPay(platform_key=platform_key, clock=lambda: NOON) as fake:
        merchant = merchant_for(fake, merchant_key)
        client = WechatPayClient(merchant, base_url=fake.url, clock=lambda: NOON)
        yield SimpleNamespace(fake=fake, merchant=merchant, client=client)


def pay(billing, out_trade_no, amount_fen, hour):
    billing.client.jsapi_prepay(
        appid=PUBLIC_ACCOUNT_APPID,
        description="党费",
        out_trade_no=out_trade_no,
        amount_fen=amount_fen,
        payer_openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        attach="member:42",
    )
    billing.fake.pay(out_trade_no, at=datetime(2026, 1, 5, hour, 0, tzinfo=CHINA))


def a_day_of_trades(billing):
    pay(billing, "DUES202601000001", 1550, 9)
    pay(billing, "DUES202601000002", 20, 10)
    pay(billing, "DUES202601000003", 300, 11)
    billing.client.refund(
        out_trade_no="DUES202601000001", out_refund_no="REFUND-0001", amount_fen=550, total_fen=1550
    )


def test_the_trade_bill_lists_the_days_payments_and_refunds(billing):
    a_day_of_trades(billing)

    bill = billing.client.trade_bill(DAY)

    assert [r.out_trade_no for r in bill.payments] == [
        "DUES202601000001",
        "DUES202601000002",
        "DUES202601000003",
    ]
    first = bill.payments[0]
    assert first.total_fen == 1550 and first.settlement_total_fen == 1550
    assert first.trade_time == datetime(2026, 1, 5, 9, 0, tzinfo=CHINA)
    assert first.mchid == billing.merchant.mchid and first.appid == PUBLIC_ACCOUNT_APPID
    assert first.attach == "member:42" and first.transaction_id.startswith("4200")
    assert first.fee_yuan == Decimal("0.09300") and first.rate == "0.60%"
    [refund] = bill.refunds
    assert refund.out_refund_no == "REFUND-0001" and refund.refund_fen == 550
    assert refund.out_trade_no == "DUES202601000001" and refund.is_refund
    assert bill.summary.count == 4 and bill.summary.total_fen == 1870
    assert bill.summary.refund_fen == 550 and bill.summary.settlement_total_fen == 1870


def test_a_gzip_bill_is_checked_after_decompression(billing):
    a_day_of_trades(billing)

    bill = billing.client.trade_bill(DAY, compressed=True)

    assert len(bill.records) == 4


@pytest.mark.parametrize("bill_type, count", [("SUCCESS", 3), ("REFUND", 1)])
def test_the_success_and_refund_layouts_parse_too(billing, bill_type, count):
    a_day_of_trades(billing)

    bill = billing.client.trade_bill(DAY, bill_type=bill_type)

    assert len(bill.records) == count == bill.summary.count


def test_a_tampered_bill_is_refused(billing):
    a_day_of_trades(billing)
    billing.fake.tamper_bill = lambda content: content.replace(b"`15.50", b"`155.0")

    with pytest.raises(BillIntegrityError):
        billing.client.trade_bill(DAY)


def test_a_tampered_gzip_bill_is_refused(billing):
    a_day_of_trades(billing)
    billing.fake.tamper_bill = lambda content: content + b"`x\r\n"

    with pytest.raises(BillIntegrityError):
        billing.client.trade_bill(DAY, compressed=True)


def test_a_day_without_trades_has_no_bill(billing):
    with pytest.raises(BillNotFound) as caught:
        billing.client.trade_bill(DAY)
    assert not caught.value.retryable


def test_a_bill_still_being_made_is_worth_asking_again(billing):
    billing.fake.inject_error(400, "STATEMENT_CREATING", "账单生成中", path_contains="tradebill")

    with pytest.raises(BillNotReady) as caught:
        billing.client.trade_bill(DAY)
    assert caught.value.retryable


def test_a_download_link_to_another_host_is_not_followed(billing):
    with pytest.raises(VerificationError):
        billing.client.download("https://evil.example.com/v3/billdownload/file?token=x")


def test_the_bill_hash_is_sha1_of_the_plain_file():
    content = "交易时间,商户订单号\r\n".encode()

    check_bill_hash(content, "SHA1", hashlib.sha1(content).hexdigest().upper())
    with pytest.raises(BillIntegrityError):
        check_bill_hash(content + b" ", "SHA1", hashlib.sha1(content).hexdigest())
    with pytest.raises(BillIntegrityError):
        check_bill_hash(content, "MD5", hashlib.md5(content).hexdigest())
    with pytest.raises(BillIntegrityError):
        check_bill_hash(gzip.compress(content), "SHA1", hashlib.sha1(content).hexdigest())


# The ALL sample as published (one payment; the summary counts the whole day's file).
DOCUMENTED_ALL = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
    "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\n"
    "`2019-07-25 08:35:41,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000391201907254236657863,"
    "`20190725083538,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`PSBC_DEBIT,`CNY,`6.00,"
    "`0.00,`0,`0,`0.00,`0.00,`,`,`党费,`member:42,`0.04000,`0.60%,`6.00,`0.00,`\n"
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n"
    "`1,`6.00,`0.00,`0.00,`0.04000,`6.00,`0.00\n"
)


def test_the_documented_sample_parses_with_backticks_stripped():
    bill = parse_trade_bill(DOCUMENTED_ALL.encode(), bill_date=date(2019, 7, 25))

    [record] = bill.records
    assert record.trade_time == datetime(2019, 7, 25, 8, 35, 41, tzinfo=CHINA)
    assert record.out_trade_no == "20190725083538" and record.device_info == ""
    assert record.total_fen == 600 and record.fee_yuan == Decimal("0.04")
    assert record.description == "党费" and record.rate_note == "" and not record.is_refund
    assert bill.summary.fee_yuan == Decimal("0.04") and bill.summary.count == 1


def test_a_bom_at_the_start_is_ignored():
    bill = parse_trade_bill(("\ufeff" + DOCUMENTED_ALL).encode(), bill_date=date(2019, 7, 25))

    assert len(bill.records) == 1


@pytest.mark.parametrize(
    "broken",
    [
        DOCUMENTED_ALL.replace("`1,`6.00", "`2,`6.00"),  # summary count disagrees
        DOCUMENTED_ALL.replace("`6.00,`0.00,`0,", "`6.001,`0.00,`0,"),  # not whole fen
        DOCUMENTED_ALL.replace("`6.00,`0.00,`0,", "`six,`0.00,`0,"),  # not an amount
        DOCUMENTED_ALL.replace("`2019-07-25 08:35:41", "`25/07/2019"),  # not a bill time
        DOCUMENTED_ALL.split("总交易单数")[0],  # no summary
        DOCUMENTED_ALL.replace("`JSAPI,", ""),  # a row shorter than the header
        DOCUMENTED_ALL.replace("交易时间,", "时间,"),  # not the trade bill header
        "",
    ],
)
def test_a_bill_that_is_not_the_documented_layout_is_refused(broken):
    with pytest.raises(BillIntegrityError):
        parse_trade_bill(broken.encode(), bill_date=date(2019, 7, 25))


def test_a_bill_that_is_not_utf8_is_refused():
    with pytest.raises(BillIntegrityError):
        parse_trade_bill(DOCUMENTED_ALL.encode("gbk"), bill_date=date(2019, 7, 25))
