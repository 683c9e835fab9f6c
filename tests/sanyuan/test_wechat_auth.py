"""Who is this WeChat user: 网页授权 (snsapi_base) and the mini-program's jscode2session."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sanyuan import wechat
from tests.conftest import WECHAT_MINI_APP, WECHAT_MP_APP, free_port

OAUTH = "/sns/oauth2/access_token"
JSCODE = "/sns/jscode2session"


def test_the_authorize_url_has_the_documented_order_and_ends_with_wechat_redirect(
    wechat_fake, settings
):
    settings.WECHAT_OPEN_BASE_URL = "https://open.weixin.qq.com/"
    url = wechat.oauth_authorize_url(
        redirect_uri="https://ldej.example.gov.cn/wechat/callback/?next=/me/", state="Ab12"
    )
    assert url == (
        "https://open.weixin.qq.com/connect/oauth2/authorize"
        f"?appid={WECHAT_MP_APP[0]}"
        "&redirect_uri=https%3A%2F%2Fldej.example.gov.cn%2Fwechat%2Fcallback%2F%3Fnext%3D%2Fme%2F"
        "&response_type=code&scope=snsapi_base&state=Ab12#wechat_redirect"
    )


@pytest.mark.parametrize("state", ["a-b", "x" * 129, "状态", "a b", "ab\n"])
def test_a_state_wechat_would_not_carry_back_is_refused(wechat_fake, state):
    with pytest.raises(ValueError):
        wechat.oauth_authorize_url(redirect_uri="https://ldej.example.gov.cn/cb/", state=state)


def test_a_relative_redirect_uri_is_refused(wechat_fake):
    with pytest.raises(ValueError):
        wechat.oauth_authorize_url(redirect_uri="/wechat/callback/", state="s")


def test_an_authorisation_code_gives_the_openid(wechat_fake):
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-1", unionid="u-1")
    identity = wechat.oauth_exchange_code(code)
    # snsapi_base: WeChat documents unionid only for snsapi_userinfo
    assert identity == wechat.OAuthIdentity(openid="o-mp-1", unionid=None, scope="snsapi_base")


def test_a_userinfo_authorisation_also_gives_the_unionid(wechat_fake):
    url = wechat.oauth_authorize_url(
        redirect_uri="https://ldej.example.gov.cn/cb/", state="s", scope="snsapi_userinfo"
    )
    assert "&scope=snsapi_userinfo&" in url
    code = wechat_fake.issue_oauth_code(
        WECHAT_MP_APP[0], "o-mp-1", unionid="u-1", scope="snsapi_userinfo"
    )
    assert wechat.oauth_exchange_code(code).unionid == "u-1"


def test_an_unknown_scope_is_refused(wechat_fake):
    with pytest.raises(ValueError):
        wechat.oauth_authorize_url(redirect_uri="https://x.example/cb/", scope="snsapi_login")


def test_a_snapshot_page_virtual_account_can_neither_sign_in_nor_bind(wechat_fake):
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-virtual", snapshot=True)
    with pytest.raises(wechat.WechatSnapshotUserError) as caught:
        wechat.oauth_exchange_code(code)
    assert caught.value.decision == wechat.Decision.GIVE_UP
    assert "快照" in caught.value.message


def test_a_used_authorisation_code_is_refused_with_40163(wechat_fake):
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-1")
    wechat.oauth_exchange_code(code)
    with pytest.raises(wechat.WechatCodeError) as caught:
        wechat.oauth_exchange_code(code)
    assert caught.value.errcode == 40163
    assert caught.value.decision == wechat.Decision.GIVE_UP
    assert caught.value.message == "微信授权已失效，请重新从微信进入后再试。"


def test_an_unknown_authorisation_code_is_refused_with_40029(wechat_fake):
    with pytest.raises(wechat.WechatCodeError) as caught:
        wechat.oauth_exchange_code("0a1b2c3d4e5f")
    assert caught.value.errcode == 40029


def test_an_authorisation_code_older_than_five_minutes_is_refused(wechat_fake):
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-1")
    wechat_fake.advance(301)
    with pytest.raises(wechat.WechatCodeError) as caught:
        wechat.oauth_exchange_code(code)
    assert caught.value.errcode == 40029


def test_a_mini_program_code_is_no_authorisation_code(wechat_fake):
    code = wechat_fake.issue_js_code(WECHAT_MINI_APP[0], "o-mini-1")
    with pytest.raises(wechat.WechatCodeError):
        wechat.oauth_exchange_code(code)


@pytest.mark.parametrize("code", ["", "has space", "x" * 129, "代码", None, 123, "abc\n"])
def test_a_malformed_code_is_refused_without_asking_wechat(wechat_fake, code):
    for exchange in (wechat.oauth_exchange_code, wechat.mini_program_login):
        with pytest.raises(wechat.WechatCodeError) as caught:
            exchange(code)
        assert caught.value.decision == wechat.Decision.GIVE_UP
    assert sum(wechat_fake.calls.values()) == 0


def test_a_wrong_official_account_secret_is_refused_with_40125(wechat_fake, settings):
    settings.WECHAT_MP_APP_SECRET = "wrong"
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-1")
    with pytest.raises(wechat.WechatConfigError) as caught:
        wechat.oauth_exchange_code(code)
    assert caught.value.errcode == 40125
    assert caught.value.message == "微信登录暂不可用，请使用姓名和身份证号登录。"


def test_without_an_official_account_there_is_no_web_sign_in(wechat_fake, settings):
    settings.WECHAT_MP_APP_ID = ""
    assert not wechat.mp_configured()
    with pytest.raises(wechat.WechatConfigError):
        wechat.oauth_authorize_url(redirect_uri="https://ldej.example.gov.cn/cb/", state="s")


def test_a_login_code_gives_the_openid_session_key_and_unionid(wechat_fake):
    code = wechat_fake.issue_js_code(WECHAT_MINI_APP[0], "o-mini-1", unionid="u-1")
    session = wechat.mini_program_login(code)
    assert (session.openid, session.unionid) == ("o-mini-1", "u-1")
    assert len(session.session_key) >= 16
    assert session.session_key not in repr(session)


def test_a_login_code_used_twice_is_refused(wechat_fake):
    code = wechat_fake.issue_js_code(WECHAT_MINI_APP[0], "o-mini-1")
    assert wechat.mini_program_login(code).unionid is None
    with pytest.raises(wechat.WechatCodeError) as caught:
        wechat.mini_program_login(code)
    assert caught.value.errcode == 40163


def test_an_official_account_code_is_no_login_code(wechat_fake):
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-1")
    with pytest.raises(wechat.WechatCodeError) as caught:
        wechat.mini_program_login(code)
    assert caught.value.errcode == 40029


def test_a_wrong_mini_program_secret_is_refused_with_40125(wechat_fake, settings):
    settings.WECHAT_MINI_APP_SECRET = "wrong"
    code = wechat_fake.issue_js_code(WECHAT_MINI_APP[0], "o-mini-1")
    with pytest.raises(wechat.WechatConfigError) as caught:
        wechat.mini_program_login(code)
    assert caught.value.errcode == 40125


@pytest.mark.parametrize(
    "errcode, error, decision",
    [
        (45011, wechat.WechatRateLimitError, wechat.Decision.RETRY),
        (-1, wechat.WechatBusyError, wechat.Decision.RETRY),
        (40226, wechat.WechatLoginBlockedError, wechat.Decision.GIVE_UP),
    ],
)
def test_wechat_refusals_of_a_login_reach_the_caller_typed(wechat_fake, errcode, error, decision):
    code = wechat_fake.issue_js_code(WECHAT_MINI_APP[0], "o-mini-1")
    wechat_fake.fail_next(JSCODE, errcode)
    with pytest.raises(error) as caught:
        wechat.mini_program_login(code)
    assert caught.value.errcode == errcode
    assert caught.value.decision == decision


def test_a_busy_web_sign_in_is_a_retry_with_a_chinese_message(wechat_fake):
    code = wechat_fake.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-1")
    wechat_fake.fail_next(OAUTH, -1)
    with pytest.raises(wechat.WechatBusyError) as caught:
        wechat.oauth_exchange_code(code)
    assert caught.value.message == "微信服务繁忙，请稍后再试。"


def test_no_answer_is_a_network_error_to_retry_and_names_no_secret(wechat_fake, settings):
    settings.WECHAT_API_BASE_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens
    with pytest.raises(wechat.WechatNetworkError) as caught:
        wechat.mini_program_login("0a1b2c")
    assert caught.value.decision == wechat.Decision.RETRY
    assert caught.value.errcode is None
    assert WECHAT_MINI_APP[1] not in str(caught.value)


def test_a_slow_answer_is_a_network_error_to_retry(wechat_fake, settings):
    settings.WECHAT_TIMEOUT_SECONDS = 0.2
    wechat_fake.slow(JSCODE, 1.0)
    with pytest.raises(wechat.WechatNetworkError):
        wechat.mini_program_login("0a1b2c")


class _GatewayError(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html>502 Bad Gateway</html>"
        self.send_response(self.server.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status", [502, 200])
def test_an_http_error_or_a_page_instead_of_json_is_a_network_error(wechat_fake, settings, status):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GatewayError)
    server.status = status
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WECHAT_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(wechat.WechatNetworkError):
            wechat.mini_program_login("0a1b2c")
    finally:
        server.shutdown()
        server.server_close()
