"""Known by WeChat, at 360×640 inside WeChat's browser: the menu link of the official account
goes through WeChat's authorisation (the local fake plays WeChat), an unbound member signs in
as before and is offered to bind, and the next visit from the menu is signed in at once."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.conftest import WECHAT_MP_APP

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 10; V2034A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/107.0 Mobile Safari/537.36 MicroMessenger/8.0.49.2600 NetType/4G Language/zh_CN"
)


def test_bind_once_then_the_menu_link_signs_in(context_for, wechat_fake, settings, screenshot):
    settings.WECHAT_OPEN_BASE_URL = wechat_fake.url
    world = factories.build_world()
    member = world.member_a
    wechat_fake.browser_user = ("o-zhang-mp", None)
    wechat_fake.oauth_domains = frozenset({"localhost"})  # the live server's 网页授权域名
    page = context_for(viewport=SMALL_PHONE, user_agent=WECHAT_UA).new_page()

    # The menu link: WeChat authorises silently and sends the member back; not bound yet.
    page.goto("/wechat/sign-in/?next=/")
    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("这个微信还没有绑定档案")).to_be_visible()
    expect(page.get_by_text("登录后可以绑定这个微信")).to_be_visible()
    assert page.get_by_role("link", name="微信一键登录").count() == 0  # no loop back
    assert_no_horizontal_scroll(page)
    screenshot(page, "wechat-01-login-not-bound")

    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    # (The browser keeps the authorisation URL's #wechat_redirect across the redirects.)
    page.wait_for_url(re.compile(r"/me/wechat/(#.*)?$"))
    expect(page.get_by_role("heading", name="绑定这个微信？")).to_be_visible()
    expect(page.get_by_role("button", name="绑定微信")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "wechat-02-bind-offer")
    page.get_by_role("button", name="绑定微信").click()
    expect(page.get_by_text("已绑定微信，以后从公众号菜单进入将自动登录。")).to_be_visible()
    expect(page.get_by_role("button", name="解除绑定")).to_be_visible()
    screenshot(page, "wechat-03-bound")

    # Signed out, the member opens the site from the account's menu again: signed in at once.
    page.goto("/me/")
    page.get_by_role("link", name="退出登录").click()
    page.get_by_role("button", name="退出登录").click()  # 确定要退出登录吗？
    page.wait_for_url("**/accounts/login/**")
    page.goto("/wechat/sign-in/?next=/")
    page.wait_for_load_state()
    expect(page.get_by_text(f"{member.name}，您好！")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "wechat-04-signed-in-from-the-menu")
    assert wechat_fake.calls["/sns/oauth2/access_token"] == 2
    assert WECHAT_MP_APP[0] in wechat_fake.apps
