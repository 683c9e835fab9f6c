"""Notices (通知): every user's inbox, and the outbox of external deliveries.

A notice is stored once with its audience. Who may see it is computed when an inbox is read
(one indexed query), so a notice to a subtree of a million members is one row; reads are
recorded per user. External channels (SMS, e-mail) get one `NoticeDelivery` row per
recipient and channel, created by a Celery task after commit and kept until delivered or
dead-lettered.
"""

from django.db import models
from django.db.models import Q

from .organizations import Organization
from .people import Skill, User


class Notice(models.Model):
    class Kind(models.TextChoices):
        REVIEW_OUTCOME = "review_outcome", "审核结果"
        CHANGE_REQUEST = "change_request", "档案修改申请"
        ACTIVITY = "activity", "组织活动"
        ACTIVITY_REMINDER = "activity_reminder", "活动提醒"
        FORUM_REPLY = "forum_reply", "论坛回复"
        OFFICIAL_REPLY = "official_reply", "党组织回复"
        REFLECTION_COMMENT = "reflection_comment", "心得点评"
        ARTICLE = "article", "学习资料"
        REQUIRED_STUDY = "required_study", "必学内容"
        TRAINING = "training", "就业培训"
        HOSTING = "hosting", "流入地报到"
        CONTACT = "contact", "联系提醒"
        TRANSFER = "transfer", "组织关系转接"
        SYSTEM = "system", "系统通知"

    # Kinds that always go out by text message too, whatever the member's preferences.
    ALWAYS_SMS_KINDS = frozenset({Kind.REVIEW_OUTCOME})
    # Kinds that matter to every member: members without an account (or with a disabled one)
    # get them by text message on the archive's phone, since they have no inbox.
    MEMBER_SMS_KINDS = frozenset(
        {
            Kind.ACTIVITY,
            Kind.REQUIRED_STUDY,
            Kind.TRAINING,
            Kind.OFFICIAL_REPLY,
            Kind.REFLECTION_COMMENT,
        }
    )

    class Audience(models.TextChoices):
        USERS = "users", "指定用户"
        SUBTREE = "subtree", "组织及下级的党员"
        TEMPORARY_BRANCH = "temporary_branch", "临时党支部成员"
        HOSTED = "hosted", "流入地党组织服务的党员"
        STAFF = "staff", "组织的工作人员"

    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    audience = models.CharField("对象", max_length=20, choices=Audience.choices)
    audience_organization = models.ForeignKey(
        Organization,
        verbose_name="对象组织",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Optional narrowing of a member audience: any of these skills, or any of these
    # destination provinces (GB/T 2260 codes). Empty means everybody in the audience.
    filter_skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name="技能")
    # ",440000,320000," so that one province matches with LIKE on SQLite and PostgreSQL.
    filter_provinces = models.CharField("流入省份", max_length=400, blank=True, default="")
    has_filters = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="发布人",
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True, db_index=True)
    # Set when an event must notify at most once (e.g. "activity-reminder:42").
    dedupe_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    dispatched_at = models.DateTimeField("外发渠道分派时间", null=True, blank=True)
    dispatch_cursor = models.BigIntegerField(default=0, editable=False)
    # Members of the audience with an active account (they read it in the inbox), counted
    # once at dispatch; the staff notice page adds the SMS outcomes from the outbox.
    inbox_count = models.PositiveIntegerField("站内送达人数", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["audience", "audience_organization", "-id"], name="notice_audience_idx"
            ),
            models.Index(
                fields=["created_at"],
                name="notice_undispatched_idx",
                condition=Q(dispatched_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title


class NoticeRecipient(models.Model):
    """The users of an audience of kind `users` (one user, or a short list)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="notice_recipient_unique")
        ]

    def __str__(self):
        return f"{self.notice_id} → {self.user_id}"


class NoticeRead(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="notice_read_unique")
        ]

    def __str__(self):
        return f"{self.user_id} read {self.notice_id}"


class NoticeInboxState(models.Model):
    """Per user: everything published up to `read_all_before` counts as read ("全部已读")."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="+")
    read_all_before = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user_id}: {self.read_all_before}"


class NoticePreference(models.Model):
    """Per user and kind: also send by SMS / e-mail. Some kinds are always sent."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notice_preferences")
    kind = models.CharField(max_length=30, choices=Notice.Kind.choices)
    sms = models.BooleanField("短信", default=False)
    email = models.BooleanField("电子邮件", default=False)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_unique")
        ]
        indexes = [models.Index(fields=["kind", "sms"], name="notice_pref_kind_sms_idx")]

    def __str__(self):
        return f"{self.user_id}/{self.kind}"


class NoticeDelivery(models.Model):
    """One external delivery (outbox row). `idempotency_key` goes to the gateway with the
    message, so a redelivered task can never make a second message.

    An SMS delivery points at the member (whose archive holds the phone); the account is
    optional, so members who never activated are reached too. E-mail deliveries (staff)
    point at the user only. Rows that cannot be sent (opted out, no phone, number to be
    checked) are kept with that status, so the staff notice page can say why."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"
        # A mini-program subscribe message (订阅消息), sent through settings.NOTICE_PUSH_CHANNEL
        # to members who accepted the kind's template; it replaces the text message.
        WECHAT = "wechat", "微信订阅消息"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        DELIVERED = "delivered", "已送达"
        FAILED = "failed", "失败待重试"
        HELD = "held", "夜间暂缓（早上发送）"
        DEAD = "dead", "发送失败（已放弃）"
        GAVE_UP = "gave_up", "未送达（网关拒收）"
        UNDELIVERED = "undelivered", "未送达（运营商回执失败）"
        SKIPPED = "skipped", "未发送（超出每日上限）"
        OVER_BUDGET = "over_budget", "未发送（超出本月短信预算）"
        OPTED_OUT = "opted_out", "未送达（已退订）"
        NO_PHONE = "no_phone", "未送达（无手机号）"
        PHONE_INVALID = "phone_invalid", "号码待核实"
        FELL_BACK = "fell_back", "未送达（已改发短信）"

    # Still to be sent (the sweeper and the batch sender pick these up when due).
    OPEN_STATUSES = ("pending", "sending", "failed", "held")
    # The member got (or the gateway accepted) the message.
    REACHED_STATUSES = ("sent", "delivered")

    # No index of its own: both unique constraints below start with notice_id (one index
    # fewer to write for each of the three writes a text costs).
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Receipts: Tencent SerialNo / Aliyun BizId, and what went out as OutId/SessionContext.
    vendor_id = models.CharField("网关流水号", max_length=64, blank=True)
    request_ref = models.CharField(max_length=64, blank=True)
    receipt_at = models.DateTimeField("回执时间", null=True, blank=True)
    # A WeChat delivery that fails falls back to the text message the member would have got
    # without it; False: the inbox alone reaches them (no text wanted).
    sms_fallback = models.BooleanField("失败时改发短信", default=False)

    class Meta:
        verbose_name = "通知外发记录"
        verbose_name_plural = "通知外发记录"
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "user", "channel"], name="notice_delivery_unique"
            ),
            models.UniqueConstraint(
                fields=["notice", "member", "channel"],
                name="notice_delivery_member_unique",
                condition=Q(member__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(user__isnull=False),
                name="notice_delivery_has_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="delivery_open_idx",
                condition=Q(status__in=["pending", "sending", "failed", "held"]),
            ),
            # Dead letters are few: counted for monitoring (sanyuan.metrics) without a scan.
            models.Index(fields=["id"], name="delivery_dead_idx", condition=Q(status="dead")),
            # Per member daily cap.
            models.Index(
                fields=["member", "sent_at"],
                name="delivery_member_sent_idx",
                condition=Q(member__isnull=False, sent_at__isnull=False),
            ),
            # Receipts (Tencent status callback by SerialNo).
            models.Index(
                fields=["vendor_id"], name="delivery_vendor_idx", condition=~Q(vendor_id="")
            ),
        ]

    def __str__(self):
        return f"{self.notice_id}/{self.member_id or self.user_id}/{self.channel}"

    @property
    def idempotency_key(self) -> str:
        if self.member_id:
            return f"notice-{self.notice_id}-member-{self.member_id}-{self.channel}"
        return f"notice-{self.notice_id}-user-{self.user_id}-{self.channel}"


class SmsBudgetUsage(models.Model):
    """Text messages sent per county and month (NOTICE_SMS_MONTHLY_BUDGET), counted as they
    go out; `warned_at` keeps the warning to county staff to one per month."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    month = models.DateField("月份")
    sent = models.PositiveIntegerField("已发送", default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    exhausted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信月度用量"
        verbose_name_plural = "短信月度用量"
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="sms_budget_unique")
        ]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m}: {self.sent}"
