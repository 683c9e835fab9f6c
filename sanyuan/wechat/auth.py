"""Who is this WeChat user: the official account's web authorisation (网页授权, snsapi_base)
and the mini-program's login (wx.login code → jscode2session)."""

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.conf import settings

from . import transport
from .config import mini_app, mp_app
from .errors import WechatCodeError, WechatNetworkError, WechatSnapshotUserError

# Codes are short printable ASCII; anything else is refused here without asking WeChat.
CODE_PATTERN = re.compile(r"^[\x21-\x7e]{1,128}$")
# WeChat: state may hold a-zA-Z0-9, at most 128 bytes.
STATE_PATTERN = re.compile(r"^[A-Za-z0-9]{0,128}$")
SCOPES = ("snsapi_base", "snsapi_userinfo")


@dataclass(frozen=True)
class OAuthIdentity:
    """The official-account user behind a 网页授权 code. WeChat documents `unionid` only for
    scope snsapi_userinfo (and only when the account is bound to an open-platform account);
    with snsapi_base expect None."""

    openid: str
    unionid: str | None
    scope: str


@dataclass(frozen=True)
class MiniProgramSession:
    """The mini-program user behind a wx.login() code."""

    openid: str
    unionid: str | None
    session_key: str = field(repr=False)  # decrypts wx.getPhoneNumber etc.; never log it


def oauth_authorize_url(*, redirect_uri: str, state: str = "", scope: str = "snsapi_base") -> str:
    """Where to send a member inside WeChat's browser so that WeChat sends them back to
    `redirect_uri` with `?code=…&state=…`. snsapi_base is silent and gives the openid;
    snsapi_userinfo asks the person's consent (silent for followers coming from the
    account's menu) and is the scope WeChat documents unionid for.

    The parameters go in the order WeChat documents, and the URL ends with #wechat_redirect,
    which WeChat requires. `redirect_uri` must be absolute and on the 网页授权域名;
    `state` (a-zA-Z0-9, ≤128) comes back unchanged: use it against forged callbacks."""
    if not redirect_uri.startswith(("https://", "http://")):
        raise ValueError("redirect_uri must be an absolute http(s) URL")
    if not STATE_PATTERN.fullmatch(state):
        raise ValueError("state may only hold a-zA-Z0-9, at most 128 characters")
    if scope not in SCOPES:
        raise ValueError("scope must be snsapi_base or snsapi_userinfo")
    query = urlencode(
        [
            ("appid", mp_app().app_id),
            ("redirect_uri", redirect_uri),
            ("response_type", "code"),
            ("scope", scope),
            ("state", state),
        ],
        quote_via=quote,
        safe="",
    )
    base = settings.WECHAT_OPEN_BASE_URL.rstrip("/")
    return f"{base}/connect/oauth2/authorize?{query}#wechat_redirect"


def oauth_exchange_code(code: str) -> OAuthIdentity:
    """The official-account openid (and unionid, when WeChat gives one) for the `code` of the
    authorisation redirect, via GET /sns/oauth2/access_token. A code works once, within five
    minutes: WechatCodeError (40029/40163) otherwise, also for a malformed code (not sent).
    A page opened in WeChat's snapshot mode (朋友圈快照页) gets a virtual account, not the
    person: WechatSnapshotUserError, so it can neither sign in nor be bound."""
    app = mp_app()
    _check_code(code)
    answer = transport.call(
        "GET",
        "/sns/oauth2/access_token",
        query={
            "appid": app.app_id,
            "secret": app.secret,
            "code": code,
            "grant_type": "authorization_code",
        },
    )
    if answer.get("is_snapshotuser") == 1:
        raise WechatSnapshotUserError("is_snapshotuser: a virtual account of the snapshot page")
    return OAuthIdentity(
        openid=_openid(answer),
        unionid=answer.get("unionid") or None,
        scope=str(answer.get("scope", "")),
    )


def mini_program_login(code: str) -> MiniProgramSession:
    """The mini-program openid, session_key (and unionid) for a wx.login() `code`, via
    GET /sns/jscode2session. Same code rules as above; 40226 (a user WeChat blocks) raises
    WechatLoginBlockedError."""
    app = mini_app()
    _check_code(code)
    answer = transport.call(
        "GET",
        "/sns/jscode2session",
        query={
            "appid": app.app_id,
            "secret": app.secret,
            "js_code": code,
            "grant_type": "authorization_code",
        },
    )
    session_key = answer.get("session_key")
    if not isinstance(session_key, str) or not session_key:
        raise WechatNetworkError("jscode2session answered without session_key")
    return MiniProgramSession(
        openid=_openid(answer), unionid=answer.get("unionid") or None, session_key=session_key
    )


def _check_code(code) -> None:
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise WechatCodeError("malformed code (not sent to WeChat)")


def _openid(answer: dict) -> str:
    openid = answer.get("openid")
    if not isinstance(openid, str) or not openid:
        raise WechatNetworkError("WeChat answered without openid")
    return openid
