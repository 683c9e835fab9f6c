"""The official account's web sign-in (网页授权) against the local WeChat fake, the bind offer,
我的 → 微信绑定, and the MP_verify file."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from members.models import AuditEvent
from tests.conftest import WECHAT_MP_APP
from wechat_accounts.models import WechatBinding

pytestmark = pytest.mark.django_db
MP_ID = WECHAT_MP_APP[0]
WECHAT_BROWSER = (
    "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Mobile Safari/537.36 "
    "MicroMessenger/8.0.49.2600 NetType/4G Language/zh_CN"
)


def start(client, nxt="/activities/"):
    """The menu link: the site sends the browser to WeChat's authorisation page."""
    response = client.get(f"/wechat/sign-in/?next={nxt}")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert target.path == "/connect/oauth2/authorize"
    assert response["Location"].endswith("#wechat_redirect")
    assert query["appid"] == [MP_ID] and query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"] == ["http://testserver/wechat/callback/"]
    return query["state"][0]


def test_a_bound_member_is_signed_in_from_the_menu(ww, wx):
    WechatBinding.objects.create(member=ww.member_a, app_kind="mp", app_id=MP_ID, openid="o-a")
    client = Client()
    state = start(client)
    code = wx.issue_oauth_code(MP_ID, "o-a")
    response = client.get(f"/wechat/callback/?code={code}&state={state}")
    assert response.status_code == 302 and response["Location"] == "/activities/"
    assert client.get("/me/").status_code == 200  # signed in
    # The code is spent: the same callback again is refused without signing anybody in.
    other = Client()
    state = start(other)
    replay = other.get(f"/wechat/callback/?code={code}&state={state}")
    assert replay.status_code == 400 and "微信授权已过期" in replay.content.decode()
    assert other.get("/me/").status_code == 302


def test_an_unbound_member_signs_in_as_today_and_is_offered_to_bind(ww, wx):
    client = Client(HTTP_USER_AGENT=WECHAT_BROWSER)
    state = start(client)
    code = wx.issue_oauth_code(MP_ID, "o-new")
    response = client.get(f"/wechat/callback/?code={code}&state={state}", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/me/wechat/"
    assert "还没有绑定档案" in body and "登录后可以绑定这个微信" in body
    client.force_login(ww.member_a.user, backend="members.backends.MemberBackend")
    # force_login keeps the session's pending identity, as the login form does.
    offer = client.get("/me/wechat/").content.decode()
    assert "绑定这个微信？" in offer
    response = client.post("/me/wechat/bind/", follow=True)
    assert "已绑定微信" in response.content.decode()
    binding = WechatBinding.objects.get(member=ww.member_a)
    assert (binding.app_id, binding.openid) == (MP_ID, "o-new")
    assert AuditEvent.objects.filter(action="wechat.bind", actor=ww.member_a.user).exists()
    # The offer is gone; the binding is listed and can be undone.
    page = client.get("/me/wechat/").content.decode()
    assert "绑定这个微信？" not in page and "公众号" in page
    client.post(f"/me/wechat/{binding.pk}/unbind/")
    assert not WechatBinding.objects.exists()


def test_forged_or_stale_callbacks_sign_nobody_in(ww, wx):
    WechatBinding.objects.create(member=ww.member_a, app_kind="mp", app_id=MP_ID, openid="o-a")
    client = Client()
    code = wx.issue_oauth_code(MP_ID, "o-a")
    # No sign-in was started in this browser (a link somebody sent).
    response = client.get(f"/wechat/callback/?code={code}&state=abc")
    assert response.status_code == 400 and "登录链接已失效" in response.content.decode()
    state = start(client)
    response = client.get(f"/wechat/callback/?code={code}&state=WRONG{state}")
    assert response.status_code == 400
    assert client.get("/me/").status_code == 302


def test_a_snapshot_page_neither_signs_in_nor_binds(ww, wx):
    client = Client()
    state = start(client)
    code = wx.issue_oauth_code(MP_ID, "o-virtual", snapshot=True)
    response = client.get(f"/wechat/callback/?code={code}&state={state}")
    assert response.status_code == 400 and "使用完整服务" in response.content.decode()
    assert "wechat_pending_identity" not in client.session


def test_wechat_down_answers_a_chinese_page(ww, wx):
    client = Client()
    state = start(client)
    code = wx.issue_oauth_code(MP_ID, "o-a")
    wx.fail_next("/sns/oauth2/access_token", -1, times=5)
    response = client.get(f"/wechat/callback/?code={code}&state={state}")
    assert response.status_code == 503 and "微信暂时无法响应" in response.content.decode()


def test_without_an_official_account_the_menu_link_goes_to_the_login_form(db, settings):
    settings.WECHAT_MP_APP_ID = settings.WECHAT_MP_APP_SECRET = ""
    response = Client().get("/wechat/sign-in/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "尚未开通微信登录" in response.content.decode()


def test_the_login_page_offers_wechat_only_inside_wechat(ww, wx):
    assert (
        "微信一键登录"
        in Client(HTTP_USER_AGENT=WECHAT_BROWSER).get("/accounts/login/").content.decode()
    )
    assert "微信一键登录" not in Client().get("/accounts/login/").content.decode()


def test_the_mp_verify_file_is_served_from_settings(db, settings):
    settings.WECHAT_MP_VERIFY_FILE = {"name": "MP_verify_HzPnYOUNdYYA.txt", "content": ""}
    response = Client().get("/MP_verify_HzPnYOUNdYYA.txt")
    assert response.status_code == 200 and response.content == b"HzPnYOUNdYYA"
    assert Client().get("/MP_verify_other.txt").status_code == 404


@pytest.mark.parametrize(
    ("principal", "status"),
    [("member", 200), ("county", 403), ("host", 403), ("anonymous", 302)],
)
def test_my_bindings_page_is_for_members(ww, principal, status):
    from tests.factories import login_staff

    client = Client()
    user = {"member": ww.member_a.user, "county": ww.county_staff, "host": ww.host_staff}.get(
        principal
    )
    if principal == "member":
        client.force_login(user, backend="members.backends.MemberBackend")
    elif user is not None:
        login_staff(client, user)
    assert client.get("/me/wechat/").status_code == status


def test_nobody_unbinds_another_members_binding(ww):
    binding = WechatBinding.objects.create(
        member=ww.member_b, app_kind="mp", app_id=MP_ID, openid="o-b"
    )
    client = Client()
    client.force_login(ww.member_a.user, backend="members.backends.MemberBackend")
    assert client.post(f"/me/wechat/{binding.pk}/unbind/").status_code == 404
    assert WechatBinding.objects.filter(pk=binding.pk).exists()
