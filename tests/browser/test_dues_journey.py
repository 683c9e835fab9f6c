"""A member away from home sees what they owe and pays three months in WeChat's browser, at
360×640 in Chinese: the silent authorisation (snsapi_base) is answered as WeChat would (a
redirect with a code the WeChat fake issued), WeChat's payment sheet (WeixinJSBridge) is a
stub that lets the WeChat Pay fake take the money and deliver its signed callback to the
live server; the page then shows the payment and the electronic receipt."""

from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from dues import months as m
from dues.models import DuesReceipt
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.conftest import WECHAT_MINI_APP, WECHAT_MP_APP
from tests.dues.factories import account
from tests.fakes.wechatpay import FakeWechatPay

pytestmark = pytest.mark.django_db(transaction=True)
SMALL_PHONE = {"width": 360, "height": 640}

BRIDGE_STUB = """
window.WeixinJSBridge = {
  invoke: function (name, params, callback) {
    window.wechatPay(name, params.package).then(function (result) {
      callback({err_msg: result});
    });
  }
};
"""


def test_a_member_sees_and_pays_dues_in_wechat(
    live_server, context_for, wechat_fake, settings, screenshot, tmp_path
):
    w = factories.build_world()
    member = w.member_a
    start = m.add(m.this_month(), -2)
    with FakeWechatPay() as fake:
        entry = fake.configure_merchant(
            tmp_path, appids=(WECHAT_MP_APP[0], WECHAT_MINI_APP[0]), organizations=[w.county.code]
        )
        settings.WECHATPAY_MERCHANTS = [entry]
        settings.WECHATPAY_BASE_URL = fake.url
        settings.WECHATPAY_NOTIFY_URL = f"{live_server.url}/api/payments/wechat/notify/"
        account(w, base_fen=450_000, starts_on=start)  # 4,500 yuan → 1 % = 45.00 a month

        context = context_for(user=member.user, viewport=SMALL_PHONE)
        page = context.new_page()

        def authorize(route):
            query = parse_qs(urlsplit(route.request.url).query)
            code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-browser-member")
            target = (
                query["redirect_uri"][0]
                + "?"
                + urlencode({"code": code, "state": query["state"][0]})
            )
            route.fulfill(status=302, headers={"Location": target})

        paid = []

        def wechat_pay(name, package):
            assert name == "getBrandWCPayRequest"
            (order,) = [o for o in fake.orders.values() if f"prepay_id={o.prepay_id}" == package]
            callback = fake.pay(order.out_trade_no)
            paid.append(fake.deliver(callback))
            return "get_brand_wcpay_request:ok"

        page.route("https://open.weixin.qq.com/**", authorize)
        page.expose_function("wechatPay", wechat_pay)
        page.add_init_script(BRIDGE_STUB)

        page.goto("/me/")
        page.get_by_role("link", name="我的党费").click()
        expect(page.get_by_text("135.00")).to_be_visible()  # three months owed
        expect(page.get_by_text(m.label(m.this_month())).first).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, "dues-10-my-dues-owing")

        page.get_by_label("交纳月数").select_option("4")  # three owed and one ahead
        page.get_by_role("button", name="微信支付").click()
        page.wait_for_url("**/me/dues/pay/?code=*")
        expect(page.get_by_role("heading", name="交纳 180.00 元")).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, "dues-11-pay")

        page.get_by_role("button", name="确认支付").click()
        page.wait_for_url("**/me/dues/orders/*/")
        assert paid == [200]
        expect(page.get_by_role("heading", name="党费已交纳")).to_be_visible()
        screenshot(page, "dues-12-paid")

        page.get_by_role("link", name="查看电子收据").click()
        receipt = DuesReceipt.objects.get()
        expect(page.get_by_text(receipt.number).first).to_be_visible()
        expect(page.get_by_text("微信支付自动入账")).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, "dues-13-receipt")

        page.goto("/me/dues/")
        expect(page.get_by_text(m.label(m.add(m.this_month(), 1))).first).to_be_visible()
        assert page.locator(".stats dd").first.inner_text().startswith("0.00")
        screenshot(page, "dues-14-my-dues-paid")
    assert receipt.total_fen == 18_000 and start < date.max
