"""Start-up checks: a WeChat Pay merchant that cannot sign or verify must fail at start,
not at a member's first payment."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register

from .config import load_merchants
from .errors import ConfigurationError


@register()
def wechatpay_merchants_check(app_configs, **kwargs):
    if not settings.WECHATPAY_MERCHANTS:
        return []
    try:
        load_merchants()
    except ConfigurationError as exc:
        return [
            Error(
                f"WECHATPAY_MERCHANTS: {exc}",
                hint="See the README section on WeChat Pay.",
                id="sanyuan.E020",
            )
        ]
    notify = urlsplit(settings.WECHATPAY_NOTIFY_URL)
    if notify.scheme != "https" or not notify.netloc or notify.query:
        return [
            Warning(
                "WECHATPAY_NOTIFY_URL should be a public https URL without a query string; "
                "WeChat Pay sends payment and refund results there.",
                id="sanyuan.W020",
            )
        ]
    return []
