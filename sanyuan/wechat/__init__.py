"""WeChat client plumbing shared by the apps (imports settings and the cache, never an app).

    from sanyuan import wechat
    identity = wechat.oauth_exchange_code(code)        # 网页授权 snsapi_base → openid
    session = wechat.mini_program_login(js_code)       # wx.login() code → openid, session_key
    wechat.send_subscribe_notice(openid=…, kind="review_outcome", values={…})

Every failure is a `WechatError`; its `decision` (retry, refresh_token, give_up,
fallback_sms) says what the caller does next and its `message` is Chinese for people.
"""

from .auth import (
    MiniProgramSession,
    OAuthIdentity,
    mini_program_login,
    oauth_authorize_url,
    oauth_exchange_code,
)
from .config import (
    WechatApp,
    mini_app,
    mini_configured,
    mp_app,
    mp_configured,
    mp_verify_file,
)
from .errors import (
    Decision,
    WechatArgumentError,
    WechatBusyError,
    WechatCodeError,
    WechatConfigError,
    WechatError,
    WechatLoginBlockedError,
    WechatNetworkError,
    WechatRateLimitError,
    WechatRefusedError,
    WechatSnapshotUserError,
    WechatTokenError,
    error_for,
)
from .subscribe import (
    SubscribeTemplate,
    send_subscribe_message,
    send_subscribe_notice,
    subscribe_data,
    subscribe_template,
    subscribe_template_ids,
)
from .token import access_token, refresh_access_token, with_access_token

__all__ = [
    "Decision",
    "MiniProgramSession",
    "OAuthIdentity",
    "SubscribeTemplate",
    "WechatApp",
    "WechatArgumentError",
    "WechatBusyError",
    "WechatCodeError",
    "WechatConfigError",
    "WechatError",
    "WechatLoginBlockedError",
    "WechatNetworkError",
    "WechatRateLimitError",
    "WechatRefusedError",
    "WechatSnapshotUserError",
    "WechatTokenError",
    "access_token",
    "error_for",
    "mini_app",
    "mini_configured",
    "mini_program_login",
    "mp_app",
    "mp_configured",
    "mp_verify_file",
    "oauth_authorize_url",
    "oauth_exchange_code",
    "refresh_access_token",
    "send_subscribe_message",
    "send_subscribe_notice",
    "subscribe_data",
    "subscribe_template",
    "subscribe_template_ids",
    "with_access_token",
]
