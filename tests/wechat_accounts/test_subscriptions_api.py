"""The mini-program records what the member answered to wx.requestSubscribeMessage:
`GET/POST /api/me/wechat/subscriptions/`, every tier, good and bad input."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import WECHAT_MINI_APP
from tests.factories import token_for
from wechat_accounts.models import WechatBinding, WechatSubscription

pytestmark = pytest.mark.django_db
MINI_ID = WECHAT_MINI_APP[0]
URL = "/api/me/wechat/subscriptions/"
TEMPLATES = {
    "notice": {"template_id": "TPL-NOTICE", "fields": {"thing1": "title", "time2": "sent_at"}},
    "review_outcome": {"template_id": "TPL-REVIEW", "fields": {"thing1": "title"}},
}


@pytest.fixture
def bound(ww, wx, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    return WechatBinding.objects.create(
        member=ww.member_a, app_kind="mini", app_id=MINI_ID, openid="o-mini-a"
    )


def client_of(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)[0]}")
    return client


def remaining(answer) -> dict:
    return {row["template_id"]: row["remaining"] for row in answer.json()}


def test_the_member_sees_which_templates_to_ask_for(ww, bound):
    answer = client_of(ww.member_a.user).get(URL)
    assert answer.status_code == 200
    assert answer.json() == [
        {"kind": "notice", "kind_label": "通知", "template_id": "TPL-NOTICE", "remaining": 0},
        {
            "kind": "review_outcome",
            "kind_label": "审核结果",
            "template_id": "TPL-REVIEW",
            "remaining": 0,
        },
    ]


def test_each_accept_allows_one_more_message_and_a_reject_none(ww, bound):
    client = client_of(ww.member_a.user)
    wx_result = {"errMsg": "requestSubscribeMessage:ok", "TPL-NOTICE": "accept"}
    assert remaining(client.post(URL, {"accepted": wx_result}, format="json")) == {
        "TPL-NOTICE": 1,
        "TPL-REVIEW": 0,
    }
    answers = {"TPL-NOTICE": "acceptWithAudio", "TPL-REVIEW": "accept"}
    answer = client.post(URL, {"app_id": MINI_ID, "accepted": answers}, format="json")
    assert remaining(answer) == {"TPL-NOTICE": 2, "TPL-REVIEW": 1}
    answer = client.post(URL, {"accepted": {"TPL-NOTICE": "filter"}}, format="json")
    assert remaining(answer) == {"TPL-NOTICE": 2, "TPL-REVIEW": 1}  # no answer given
    answer = client.post(URL, {"accepted": {"TPL-NOTICE": "reject"}}, format="json")
    assert remaining(answer) == {"TPL-NOTICE": 0, "TPL-REVIEW": 1}
    row = WechatSubscription.objects.get(binding=bound, template_id="TPL-NOTICE")
    assert (row.accepted_total, row.last_result) == (2, "reject")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "accepted", "缺少订阅结果 accepted。"),
        ({"accepted": "accept"}, "accepted", "订阅结果格式不正确。"),
        ({"accepted": {}}, "accepted", "没有订阅结果。"),
        ({"accepted": {"TPL-OTHER": "accept"}}, "accepted", "未知的订阅消息模板：TPL-OTHER"),
        ({"accepted": {"TPL-NOTICE": "yes"}}, "accepted", "无法识别的订阅结果：yes"),
        (
            {"app_id": "wx-someone-else", "accepted": {"TPL-NOTICE": "accept"}},
            "app_id",
            "AppID 不是本站的小程序。",
        ),
    ],
)
def test_bad_answers_get_a_chinese_400_and_change_nothing(ww, bound, body, field, message):
    body = {**body}
    if isinstance(body.get("accepted"), dict) and body["accepted"]:
        body["accepted"] = {"TPL-REVIEW": "accept", **body["accepted"]}  # a good one too
    answer = client_of(ww.member_a.user).post(URL, body, format="json")
    assert answer.status_code == 400, answer.content
    assert message in str(answer.json()[field])
    assert not WechatSubscription.objects.exists()


def test_a_member_without_a_mini_program_binding_is_told_to_bind_first(ww, wx, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    client = client_of(ww.member_a.user)
    assert remaining(client.get(URL)) == {"TPL-NOTICE": 0, "TPL-REVIEW": 0}
    answer = client.post(URL, {"accepted": {"TPL-NOTICE": "accept"}}, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "not_bound" and "绑定微信" in answer.json()["detail"]
    assert not WechatSubscription.objects.exists()


def test_a_site_without_a_mini_program_says_so(ww, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    settings.WECHAT_MINI_APP_ID = settings.WECHAT_MINI_APP_SECRET = ""
    client = client_of(ww.member_a.user)
    assert client.get(URL).json() == []  # nothing to subscribe to
    answer = client.post(URL, {"accepted": {"TPL-NOTICE": "accept"}}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "not_configured"


@pytest.mark.parametrize(
    ("principal", "status"),
    [("member", 200), ("county", 403), ("committee", 403), ("host", 403), ("anonymous", 401)],
)
def test_the_subscriptions_are_for_members_only(ww, bound, principal, status):
    user = {
        "member": ww.member_a.user,
        "county": ww.county_staff,
        "committee": ww.staff_a,
        "host": ww.host_staff,
    }.get(principal)
    client = client_of(user)
    assert client.get(URL).status_code == status
    body = {"accepted": {"TPL-NOTICE": "accept"}}
    assert client.post(URL, body, format="json").status_code == status
    expected = 1 if principal == "member" else 0
    assert WechatSubscription.objects.filter(remaining=1).count() == expected


def test_another_members_binding_is_never_touched(ww, bound):
    other = WechatBinding.objects.create(
        member=ww.member_b, app_kind="mini", app_id=MINI_ID, openid="o-mini-b"
    )
    client_of(ww.member_a.user).post(URL, {"accepted": {"TPL-NOTICE": "accept"}}, format="json")
    assert not WechatSubscription.objects.filter(binding=other).exists()
    answer = client_of(ww.member_b.user).get(URL)
    assert remaining(answer) == {"TPL-NOTICE": 0, "TPL-REVIEW": 0}
