"""The mini-program login and the member's bindings through the API, against the WeChat
fake (which spends codes once and refuses a wrong secret)."""

import pytest
from rest_framework.test import APIClient

from members.models import AuditEvent
from tests.conftest import WECHAT_MINI_APP
from tests.factories import token_for
from wechat_accounts.models import WechatBinding

pytestmark = pytest.mark.django_db
MINI_ID = WECHAT_MINI_APP[0]
LOGIN = "/api/auth/wechat/mini-program/"
MINE = "/api/me/wechat/bindings/"


def as_member(member):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(member.user)[0]}")
    return client


def test_a_bound_openid_gets_a_token_that_works(ww, wx):
    WechatBinding.objects.create(
        member=ww.member_a, app_kind="mini", app_id=MINI_ID, openid="o-mini-a"
    )
    answer = APIClient().post(LOGIN, {"code": wx.issue_js_code(MINI_ID, "o-mini-a")}, format="json")
    assert answer.status_code == 200, answer.content
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    assert me.get("/api/me/").json()["name"] == ww.member_a.name


def test_an_unbound_openid_gets_not_bound_then_binds_after_the_password_login(ww, wx):
    answer = APIClient().post(LOGIN, {"code": wx.issue_js_code(MINI_ID, "o-new")}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_bound"
    client = as_member(ww.member_a)
    made = client.post(MINE, {"code": wx.issue_js_code(MINI_ID, "o-new")}, format="json")
    assert made.status_code == 201 and made.json()["app_kind"] == "mini"
    assert AuditEvent.objects.filter(action="wechat.bind").count() == 1
    assert [row["app_kind_label"] for row in client.get(MINE).json()] == ["小程序"]
    again = APIClient().post(LOGIN, {"code": wx.issue_js_code(MINI_ID, "o-new")}, format="json")
    assert again.status_code == 200
    # A second WeChat account for the same app: 409 with a Chinese reason.
    second = client.post(MINE, {"code": wx.issue_js_code(MINI_ID, "o-other")}, format="json")
    assert second.status_code == 409 and "请先" in second.json()["detail"]
    # Another member cannot take the bound openid.
    taken = as_member(ww.member_b).post(
        MINE, {"code": wx.issue_js_code(MINI_ID, "o-new")}, format="json"
    )
    assert taken.status_code == 409
    binding = WechatBinding.objects.get(member=ww.member_a)
    assert as_member(ww.member_b).delete(f"{MINE}{binding.pk}/").status_code == 404
    assert client.delete(f"{MINE}{binding.pk}/").status_code == 204
    assert not WechatBinding.objects.exists()


@pytest.mark.parametrize(
    ("code", "status", "answer_code"),
    [("not-a-code-wechat-gave", 400, "invalid_code"), ("含中文", 400, "invalid_code")],
)
def test_bad_codes_get_a_chinese_400(ww, wx, code, status, answer_code):
    answer = APIClient().post(LOGIN, {"code": code}, format="json")
    assert answer.status_code == status and answer.json()["code"] == answer_code
    assert "微信登录凭证" in answer.json()["detail"]


def test_a_used_code_and_a_missing_code(ww, wx):
    code = wx.issue_js_code(MINI_ID, "o-a")
    assert APIClient().post(LOGIN, {"code": code}, format="json").status_code == 404
    assert APIClient().post(LOGIN, {"code": code}, format="json").json()["code"] == "invalid_code"
    missing = APIClient().post(LOGIN, {}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == ["缺少微信登录凭证 code。"]


def test_a_wrong_secret_or_wechat_down_is_a_503_not_a_500(ww, wx, settings):
    wx.fail_next("/sns/jscode2session", -1, times=5)
    busy = APIClient().post(LOGIN, {"code": wx.issue_js_code(MINI_ID, "o-a")}, format="json")
    assert busy.status_code == 503 and busy.json()["code"] == "wechat_unavailable"
    settings.WECHAT_MINI_APP_SECRET = "wrong-secret"
    wrong = APIClient().post(LOGIN, {"code": wx.issue_js_code(MINI_ID, "o-a")}, format="json")
    assert wrong.status_code == 503


def test_without_a_mini_program_the_login_says_so(db, settings):
    settings.WECHAT_MINI_APP_ID = settings.WECHAT_MINI_APP_SECRET = ""
    answer = APIClient().post(LOGIN, {"code": "abc"}, format="json")
    assert answer.status_code == 503 and answer.json()["code"] == "not_configured"


@pytest.mark.parametrize(
    ("principal", "status"),
    [("member", 200), ("county", 403), ("committee", 403), ("host", 403), ("anonymous", 401)],
)
def test_the_binding_list_is_for_members(ww, principal, status):
    client = APIClient()
    user = {
        "member": ww.member_a.user,
        "county": ww.county_staff,
        "committee": ww.staff_a,
        "host": ww.host_staff,
    }.get(principal)
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)[0]}")
    assert client.get(MINE).status_code == status
