"""The unionid rule end to end, through the WeChat fake: a binding signs in through the other
app only when both carry the same unionid, and a bound openid learns the unionid whenever
WeChat hands one out (jscode2session of a mini-program bound to an open platform, the
snsapi_userinfo code exchange the menu link asks for with `?scope=userinfo`)."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from rest_framework.test import APIClient

from members.models import AuditEvent
from tests.conftest import WECHAT_MINI_APP, WECHAT_MP_APP
from tests.factories import token_for
from wechat_accounts.models import WechatBinding

pytestmark = pytest.mark.django_db
MP_ID, MINI_ID = WECHAT_MP_APP[0], WECHAT_MINI_APP[0]
LOGIN = "/api/auth/wechat/mini-program/"
MEMBER_BACKEND = "members.backends.MemberBackend"


def menu_sign_in(client, wx, openid, scope="userinfo"):
    """The official account's menu link, WeChat's authorisation page (the fake's, for the
    person `openid` in WeChat's browser) and the callback: the callback's response."""
    wx.browser_user = (openid, None)  # the unionid, if any, is the one set for the app
    started = client.get(f"/wechat/sign-in/?next=/me/&scope={scope}")
    assert started.status_code == 302
    query = {
        key: values[-1] for key, values in parse_qs(urlsplit(started["Location"]).query).items()
    }
    status, location, _text = wx.authorize(query)
    assert status == 302, _text
    back = urlsplit(location)
    return client.get(f"{back.path}?{back.query}")


def mini_login(wx, openid, unionid=None):
    return APIClient().post(
        LOGIN, {"code": wx.issue_js_code(MINI_ID, openid, unionid)}, format="json"
    )


def name_behind(token) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/me/").json()["name"]


def test_the_menu_link_asks_for_snsapi_userinfo_only_when_told(ww, wx):
    def scope_of(url):
        started = Client().get(url)
        return parse_qs(urlsplit(started["Location"]).query)["scope"]

    assert scope_of("/wechat/sign-in/") == ["snsapi_base"]
    assert scope_of("/wechat/sign-in/?scope=userinfo") == ["snsapi_userinfo"]
    assert scope_of("/wechat/sign-in/?scope=snsapi_login") == ["snsapi_base"]


def test_bound_in_the_official_account_through_userinfo_signs_in_the_mini_program(ww, wx):
    wx.set_unionid(MP_ID, "o-mp-a", "u-a")
    wx.set_unionid(MINI_ID, "o-mini-a", "u-a")
    client = Client()
    response = menu_sign_in(client, wx, "o-mp-a")
    assert response["Location"] == "/accounts/login/?next=/me/wechat/"  # not bound yet
    client.force_login(ww.member_a.user, backend=MEMBER_BACKEND)
    client.post("/me/wechat/bind/")
    mp = WechatBinding.objects.get(member=ww.member_a)
    assert (mp.app_id, mp.openid, mp.unionid) == (MP_ID, "o-mp-a", "u-a")

    answer = mini_login(wx, "o-mini-a")
    assert answer.status_code == 200, answer.content
    assert name_behind(answer.json()["token"]) == ww.member_a.name
    mini = WechatBinding.objects.get(app_id=MINI_ID)
    assert (mini.member, mini.openid, mini.unionid) == (ww.member_a, "o-mini-a", "u-a")
    event = AuditEvent.objects.filter(action="wechat.bind").latest("id")
    assert event.actor == ww.member_a.user
    assert event.detail == {"app": "小程序", "through": "unionid"}
    # The next login needs the unionid no more: the mini-program is bound by its openid.
    assert mini_login(wx, "o-mini-a").status_code == 200


def test_an_official_account_binding_learns_the_unionid_at_a_later_userinfo_sign_in(ww, wx):
    binding = WechatBinding.objects.create(
        member=ww.member_a, app_kind="mp", app_id=MP_ID, openid="o-mp-a"
    )
    assert mini_login(wx, "o-mini-a", unionid="u-a").json()["code"] == "not_bound"
    wx.set_unionid(MP_ID, "o-mp-a", "u-a")
    client = Client()
    response = menu_sign_in(client, wx, "o-mp-a", scope="")  # snsapi_base: no unionid
    assert response["Location"] == "/me/"
    binding.refresh_from_db()
    assert binding.unionid is None
    response = menu_sign_in(Client(), wx, "o-mp-a")  # snsapi_userinfo
    assert response["Location"] == "/me/"
    binding.refresh_from_db()
    assert binding.unionid == "u-a"

    answer = mini_login(wx, "o-mini-a", unionid="u-a")
    assert answer.status_code == 200
    assert name_behind(answer.json()["token"]) == ww.member_a.name
    assert WechatBinding.objects.filter(member=ww.member_a, app_id=MINI_ID).exists()


def test_another_unionid_is_not_bound(ww, wx):
    WechatBinding.objects.create(
        member=ww.member_a, app_kind="mp", app_id=MP_ID, openid="o-mp-a", unionid="u-a"
    )
    answer = mini_login(wx, "o-mini-x", unionid="u-somebody-else")
    assert answer.status_code == 404 and answer.json()["code"] == "not_bound"
    assert not WechatBinding.objects.filter(app_id=MINI_ID).exists()
    assert not AuditEvent.objects.filter(action="wechat.bind").exists()


def test_a_mini_program_binding_learns_the_unionid_and_then_signs_in_the_official_account(ww, wx):
    binding = WechatBinding.objects.create(
        member=ww.member_a, app_kind="mini", app_id=MINI_ID, openid="o-mini-a"
    )
    assert mini_login(wx, "o-mini-a").status_code == 200  # not on an open platform yet
    binding.refresh_from_db()
    assert binding.unionid is None
    # The county binds the mini-program to the open platform: logins now carry the unionid.
    wx.set_unionid(MINI_ID, "o-mini-a", "u-a")
    assert mini_login(wx, "o-mini-a").status_code == 200
    binding.refresh_from_db()
    assert binding.unionid == "u-a"

    # The official account (same open platform): the menu sign-in finds the member.
    wx.set_unionid(MP_ID, "o-mp-a", "u-a")
    client = Client()
    response = menu_sign_in(client, wx, "o-mp-a")
    assert response["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    made = WechatBinding.objects.get(app_id=MP_ID)
    assert (made.member, made.unionid) == (ww.member_a, "u-a")
    event = AuditEvent.objects.filter(action="wechat.bind").latest("id")
    assert event.detail == {"app": "公众号", "through": "unionid"}


def test_a_different_unionid_never_overwrites_the_stored_one(ww, wx, caplog):
    binding = WechatBinding.objects.create(
        member=ww.member_a, app_kind="mini", app_id=MINI_ID, openid="o-mini-a", unionid="u-a"
    )
    with caplog.at_level(logging.WARNING, logger="wechat_accounts.services"):
        answer = mini_login(wx, "o-mini-a", unionid="u-changed")
    # The openid is the binding and WeChat vouched for it: the member signs in.
    assert answer.status_code == 200
    binding.refresh_from_db()
    assert binding.unionid == "u-a"
    assert f"wechat binding {binding.pk}: WeChat gave a unionid other than" in caplog.text
    assert "u-changed" not in caplog.text and "o-mini-a" not in caplog.text


def test_a_unionid_on_another_members_binding_is_neither_stored_nor_bound(ww, wx, caplog):
    WechatBinding.objects.create(
        member=ww.member_b, app_kind="mp", app_id=MP_ID, openid="o-mp-b", unionid="u-b"
    )
    mine = WechatBinding.objects.create(
        member=ww.member_a, app_kind="mini", app_id=MINI_ID, openid="o-mini-a"
    )
    with caplog.at_level(logging.WARNING, logger="wechat_accounts.services"):
        assert mini_login(wx, "o-mini-a", unionid="u-b").status_code == 200
    mine.refresh_from_db()
    assert mine.unionid is None
    assert "on another member's binding" in caplog.text
    # Binding afresh with that unionid: refused as the WeChat of another member.
    mine.delete()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(ww.member_a.user)[0]}")
    code = wx.issue_js_code(MINI_ID, "o-mini-a", "u-b")
    answer = api.post("/api/me/wechat/bindings/", {"code": code}, format="json")
    assert answer.status_code == 409 and "其他党员" in answer.json()["detail"]
    assert not WechatBinding.objects.filter(member=ww.member_a).exists()
