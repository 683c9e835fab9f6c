"""What went wrong in a WeChat call, and what the caller should do about it.

Every failure is a `WechatError` whose `decision` tells the caller what to do; `error_for()`
maps WeChat's `errcode` (documented in each API's page and the global return codes, see the
README) to the right subclass. `message` is the Chinese text a person may be shown.
"""

from enum import StrEnum


class Decision(StrEnum):
    RETRY = "retry"  # transient: try the same call again later, with backoff
    REFRESH_TOKEN = "refresh_token"  # access_token refused: fetch a new one, call again
    GIVE_UP = "give_up"  # this call will never succeed: dead-letter it with the reason
    FALLBACK_SMS = "fallback_sms"  # the user cannot be reached this way: send a text instead


class WechatError(Exception):
    decision: Decision = Decision.GIVE_UP
    message: str = "微信服务暂时无法使用，请稍后再试。"

    def __init__(self, errmsg: str = "", errcode: int | None = None):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        """For logs and dead letters: the errcode and WeChat's own words (never secrets)."""
        code = "network" if self.errcode is None else str(self.errcode)
        return f"wechat {code}: {self.errmsg}"[:300]


class WechatNetworkError(WechatError):
    """No usable answer: connection refused or reset, timeout, HTTP error, not JSON."""

    decision = Decision.RETRY


class WechatBusyError(WechatError):
    """-1: system busy."""

    decision = Decision.RETRY
    message = "微信服务繁忙，请稍后再试。"


class WechatRateLimitError(WechatError):
    """45009 (daily quota) or 45011 (per-minute frequency)."""

    decision = Decision.RETRY
    message = "微信服务繁忙，请稍后再试。"


class WechatTokenError(WechatError):
    """40001, 40014, 42001: the access_token is invalid, not the latest, or expired. The client
    refreshes and calls again once by itself; seen by a caller, it means "retry later"."""

    decision = Decision.REFRESH_TOKEN


class WechatCodeError(WechatError):
    """40029 (invalid or expired), 40163 (already used), 42003 (oauth code timed out): the
    code from the authorisation redirect or wx.login() is spent. Send the person back through
    the redirect or wx.login() once; never retry the same code."""

    decision = Decision.GIVE_UP
    message = "微信授权已失效，请重新从微信进入后再试。"


class WechatSnapshotUserError(WechatCodeError):
    """网页授权 answered is_snapshotuser=1: the page was opened in WeChat's snapshot mode
    (朋友圈快照页) and the openid belongs to a virtual account, never to be signed in or bound."""

    message = "当前是微信快照页，请点击页面下方“使用完整服务”后再登录。"


class WechatLoginBlockedError(WechatCodeError):
    """40226: WeChat blocked the login of a high-risk user (mini-program)."""

    message = "微信判断该账号存在安全风险，暂不能用微信登录，请使用姓名和身份证号登录。"


class WechatRefusedError(WechatError):
    """43101: the user did not subscribe (or unsubscribed); 40003: the openid is not a user of
    this app. Either way the message cannot go by WeChat."""

    decision = Decision.FALLBACK_SMS


class WechatArgumentError(WechatError):
    """47003 (template data does not fit), 40037 (template id), 41030 (page), or data refused
    before sending: fix the template settings; resending the same message cannot help."""

    decision = Decision.GIVE_UP


class WechatConfigError(WechatError):
    """Wrong or missing app id/secret (40013, 40125, 41002, 41004), a server IP not on the
    account's whitelist (40164), no permission for the API (48001): an operator must act."""

    decision = Decision.GIVE_UP
    message = "微信登录暂不可用，请使用姓名和身份证号登录。"


ERRORS: dict[int, type[WechatError]] = {
    -1: WechatBusyError,
    40001: WechatTokenError,
    40014: WechatTokenError,
    42001: WechatTokenError,
    40029: WechatCodeError,
    40163: WechatCodeError,
    42003: WechatCodeError,
    40226: WechatLoginBlockedError,
    43101: WechatRefusedError,
    40003: WechatRefusedError,
    45009: WechatRateLimitError,
    45011: WechatRateLimitError,
    47003: WechatArgumentError,
    40037: WechatArgumentError,
    41030: WechatArgumentError,
    40013: WechatConfigError,
    40125: WechatConfigError,
    41002: WechatConfigError,
    41004: WechatConfigError,
    40164: WechatConfigError,
    48001: WechatConfigError,
}


def error_for(errcode: int, errmsg: str = "") -> WechatError:
    """The exception for a non-zero errcode; codes not listed above give up (GIVE_UP)."""
    return ERRORS.get(errcode, WechatError)(errmsg, errcode)
