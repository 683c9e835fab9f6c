"""WeChat bindings (GLOSSARY: `WechatBinding(app_id, openid, unionid)`, one per WeChat app).

Each WeChat app (the official account 服务号, the mini-program) gives the same person a
different openid; the unionid is shared by apps bound to one open-platform account, and only
when WeChat hands it out. A member binds an app once, after signing in inside that app."""

from django.db import models

from members.models import Member


class WechatBinding(models.Model):
    class AppKind(models.TextChoices):
        OFFICIAL_ACCOUNT = "mp", "公众号"
        MINI_PROGRAM = "mini", "小程序"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="wechat_bindings", verbose_name="党员"
    )
    app_kind = models.CharField("微信应用", max_length=10, choices=AppKind.choices)
    app_id = models.CharField("AppID", max_length=64)
    openid = models.CharField("openid", max_length=128)
    unionid = models.CharField("unionid", max_length=128, null=True, blank=True)
    created_at = models.DateTimeField("绑定时间", auto_now_add=True)
    last_signed_in_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "微信绑定"
        verbose_name_plural = "微信绑定"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["app_id", "openid"], name="wechat_binding_openid"),
            models.UniqueConstraint(fields=["member", "app_id"], name="wechat_binding_member_app"),
        ]
        indexes = [
            models.Index(
                fields=["unionid"],
                name="wechat_binding_unionid",
                condition=models.Q(unionid__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.get_app_kind_display()}（{self.member_id}）"


class WechatSubscription(models.Model):
    """The one-time subscriptions (一次性订阅) a member accepted for one template of the
    mini-program: each "accept" in wx.requestSubscribeMessage allows WeChat to deliver ONE
    message of that template, so `remaining` counts up on acceptance and down on each send."""

    binding = models.ForeignKey(
        WechatBinding,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name="微信绑定",
    )
    template_id = models.CharField("模板ID", max_length=128)
    remaining = models.PositiveIntegerField("可发送条数", default=0)
    accepted_total = models.PositiveIntegerField("累计同意次数", default=0)
    last_result = models.CharField("最近一次选择", max_length=20, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "订阅消息授权"
        verbose_name_plural = "订阅消息授权"
        constraints = [
            models.UniqueConstraint(
                fields=["binding", "template_id"], name="wechat_subscription_template"
            )
        ]

    def __str__(self):
        return f"{self.binding_id}/{self.template_id}: {self.remaining}"
