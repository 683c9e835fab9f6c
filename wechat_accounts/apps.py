from django.apps import AppConfig


class WechatAccountsConfig(AppConfig):
    name = "wechat_accounts"
    verbose_name = "微信绑定"
