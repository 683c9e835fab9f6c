"""The WeChat fake itself refuses what WeChat refuses (raw requests, no client code), so that
the client's tests prove something."""

import json
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.conftest import WECHAT_MINI_APP, WECHAT_MP_APP

MINI_ID, MINI_SECRET = WECHAT_MINI_APP


def call(fake, method, path, query=None, body=None):
    url = fake.url + path + ("?" + urlencode(query) if query else "")
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method)) as answer:
        assert answer.status == 200  # WeChat answers errors with 200 too
        return json.loads(answer.read())


def token(fake, force=False, app=WECHAT_MINI_APP):
    body = {"grant_type": "client_credential", "appid": app[0], "secret": app[1]}
    if force:
        body["force_refresh"] = True
    return call(fake, "POST", "/cgi-bin/stable_token", body=body)


@pytest.mark.parametrize(
    "body, errcode",
    [
        ({"grant_type": "client_credential", "appid": MINI_ID, "secret": "x"}, 40125),
        ({"grant_type": "client_credential", "appid": "wx-nobody", "secret": "x"}, 40013),
        ({"grant_type": "client_credential", "secret": MINI_SECRET}, 41002),
        ({"grant_type": "client_credential", "appid": MINI_ID}, 41004),
        ({"grant_type": "password", "appid": MINI_ID, "secret": MINI_SECRET}, 40002),
        (b"grant_type=client_credential", 47001),
    ],
)
def test_stable_token_refuses_bad_requests(wechat_fake, body, errcode):
    answer = call(wechat_fake, "POST", "/cgi-bin/stable_token", body=body)
    assert answer["errcode"] == errcode
    assert "rid:" in answer["errmsg"]


def test_stable_token_wants_post(wechat_fake):
    assert call(wechat_fake, "GET", "/cgi-bin/stable_token")["errcode"] == 43002
    assert call(wechat_fake, "POST", "/sns/jscode2session")["errcode"] == 43001
    assert call(wechat_fake, "GET", "/sns/jsCode2Session")["errcode"] == 40066


def test_normal_mode_hands_out_the_current_token_and_force_mode_replaces_it(wechat_fake):
    first = token(wechat_fake)
    assert first["expires_in"] == 7200 and set(first) == {"access_token", "expires_in"}
    assert token(wechat_fake)["access_token"] == first["access_token"]
    forced = token(wechat_fake, force=True)["access_token"]
    assert forced != first["access_token"]
    query = {"access_token": first["access_token"]}
    answer = call(wechat_fake, "POST", "/cgi-bin/message/subscribe/send", query, body={})
    assert answer["errcode"] == 40001  # the replaced token


def test_a_second_force_refresh_within_thirty_seconds_does_not_refresh(wechat_fake):
    forced = token(wechat_fake, force=True)["access_token"]
    assert token(wechat_fake, force=True)["access_token"] == forced
    wechat_fake.advance(31)
    assert token(wechat_fake, force=True)["access_token"] != forced


def test_force_refresh_is_limited_to_twenty_a_day(wechat_fake):
    for _ in range(20):
        assert "access_token" in token(wechat_fake, force=True)
        wechat_fake.advance(31)
    assert token(wechat_fake, force=True)["errcode"] == 45009


def test_normal_mode_hands_out_a_new_token_in_the_last_five_minutes(wechat_fake):
    first = token(wechat_fake)["access_token"]
    wechat_fake.advance(7200 - 299)
    assert token(wechat_fake)["access_token"] != first


def test_subscribe_send_checks_the_token(wechat_fake):
    path = "/cgi-bin/message/subscribe/send"
    assert call(wechat_fake, "POST", path, body={})["errcode"] == 41001
    assert call(wechat_fake, "POST", path, {"access_token": "made-up"}, {})["errcode"] == 40001
    mp_token = token(wechat_fake, app=WECHAT_MP_APP)["access_token"]
    assert call(wechat_fake, "POST", path, {"access_token": mp_token}, {})["errcode"] == 48001
    mini_token = token(wechat_fake)["access_token"]
    wechat_fake.expire_tokens()
    assert call(wechat_fake, "POST", path, {"access_token": mini_token}, {})["errcode"] == 42001


@pytest.mark.parametrize(
    "value, ok",
    [("二十个字以内的事物", True), ("一" * 21, False), ("", False)],
)
def test_subscribe_send_checks_thing_values(wechat_fake, value, ok):
    wechat_fake.add_template("T", ["thing1"])
    wechat_fake.subscribe(MINI_ID, "o-1", "T")
    query = {"access_token": token(wechat_fake)["access_token"]}
    body = {"touser": "o-1", "template_id": "T", "data": {"thing1": {"value": value}}}
    answer = call(wechat_fake, "POST", "/cgi-bin/message/subscribe/send", query, body)
    assert answer["errcode"] == (0 if ok else 47003)


def test_codes_need_the_right_secret_and_grant_type(wechat_fake):
    code = wechat_fake.issue_js_code(MINI_ID, "o-1")
    query = {"appid": MINI_ID, "secret": "x", "js_code": code, "grant_type": "authorization_code"}
    assert call(wechat_fake, "GET", "/sns/jscode2session", query)["errcode"] == 40125
    query.update(secret=MINI_SECRET, grant_type="client_credential")
    assert call(wechat_fake, "GET", "/sns/jscode2session", query)["errcode"] == 40002
    query.update(grant_type="authorization_code", js_code="")
    assert call(wechat_fake, "GET", "/sns/jscode2session", query)["errcode"] == 41008
    query.update(js_code=code)  # the code survived the refusals above
    assert call(wechat_fake, "GET", "/sns/jscode2session", query)["openid"] == "o-1"


def test_the_authorisation_page_refuses_a_redirect_outside_the_registered_domain(wechat_fake):
    from urllib.error import HTTPError

    wechat_fake.browser_user = ("o-someone", None)
    wechat_fake.oauth_domains = frozenset({"sanyuan.example.cn"})
    query = {
        "appid": WECHAT_MP_APP[0],
        "redirect_uri": "https://evil.example.com/wechat/callback/",
        "response_type": "code",
        "scope": "snsapi_base",
        "state": "abc",
    }
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(f"{wechat_fake.url}/connect/oauth2/authorize?{urlencode(query)}")
    assert refused.value.code == 400 and "10003" in refused.value.read().decode()


def send(fake, body, app=WECHAT_MINI_APP):
    query = {"access_token": token(fake, app=app)["access_token"]}
    return call(fake, "POST", "/cgi-bin/message/subscribe/send", query, body)


def test_subscribe_send_wants_a_template_this_mini_program_added(wechat_fake):
    wechat_fake.add_app("mini", "wx-other-mini", "other-secret")
    wechat_fake.add_template("T-OTHER", ["thing1"], app_id="wx-other-mini")
    wechat_fake.subscribe(MINI_ID, "o-1", "T-OTHER")
    body = {"touser": "o-1", "template_id": "T-OTHER", "data": {"thing1": {"value": "通知"}}}
    assert send(wechat_fake, body)["errcode"] == 40037
    wechat_fake.add_template("T-OTHER", ["thing1"], app_id=MINI_ID)
    assert send(wechat_fake, body)["errcode"] == 0


def test_subscribe_send_wants_a_user_of_this_mini_program_with_a_subscription_left(wechat_fake):
    wechat_fake.add_app("mini", "wx-other-mini", "other-secret")
    wechat_fake.add_template("T", ["thing1"])
    wechat_fake.subscribe("wx-other-mini", "o-elsewhere", "T")  # a user of the other app
    body = {"touser": "o-elsewhere", "template_id": "T", "data": {"thing1": {"value": "通知"}}}
    assert send(wechat_fake, body)["errcode"] == 40003
    wechat_fake.subscribe(MINI_ID, "o-1", "T")
    body["touser"] = "o-1"
    assert send(wechat_fake, body)["errcode"] == 0
    assert send(wechat_fake, body)["errcode"] == 43101  # one acceptance, one message
    assert wechat_fake.remaining("wx-other-mini", "o-elsewhere", "T") == 1


def test_subscribe_send_wants_every_keyword_of_the_template(wechat_fake):
    wechat_fake.add_template("T", ["thing1", "time2"])
    wechat_fake.subscribe(MINI_ID, "o-1", "T")
    body = {"touser": "o-1", "template_id": "T", "data": {"thing1": {"value": "通知"}}}
    answer = send(wechat_fake, body)
    assert answer["errcode"] == 47003 and "time2" in answer["errmsg"]
    assert wechat_fake.remaining(MINI_ID, "o-1", "T") == 1  # a refused message spends nothing


def test_a_users_unionid_is_told_per_app_and_answered_as_wechat_does(wechat_fake):
    mp_id, mp_secret = WECHAT_MP_APP
    wechat_fake.set_unionid(MINI_ID, "o-mini", "u-1")
    wechat_fake.set_unionid(mp_id, "o-mp", "u-1")
    session = call(
        wechat_fake,
        "GET",
        "/sns/jscode2session",
        {
            "appid": MINI_ID,
            "secret": MINI_SECRET,
            "js_code": wechat_fake.issue_js_code(MINI_ID, "o-mini"),
            "grant_type": "authorization_code",
        },
    )
    assert (session["openid"], session["unionid"]) == ("o-mini", "u-1")

    def exchange(scope):
        code = wechat_fake.issue_oauth_code(mp_id, "o-mp", scope=scope)
        query = {"appid": mp_id, "secret": mp_secret, "code": code}
        return call(
            wechat_fake,
            "GET",
            "/sns/oauth2/access_token",
            {**query, "grant_type": "authorization_code"},
        )

    assert "unionid" not in exchange("snsapi_base")  # documented for snsapi_userinfo only
    assert exchange("snsapi_userinfo")["unionid"] == "u-1"
    # A user of an app not bound to the open platform: no unionid at all.
    other = wechat_fake.issue_js_code(MINI_ID, "o-mini-2")
    query = {"appid": MINI_ID, "secret": MINI_SECRET, "js_code": other}
    answer = call(
        wechat_fake, "GET", "/sns/jscode2session", {**query, "grant_type": "authorization_code"}
    )
    assert "unionid" not in answer
