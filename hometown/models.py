"""困难帮扶 (SupportCase with its steps) and 后援团 (SupportGroupMembership, Contribution,
Campaign).

A support case follows a member's family at home from the need to its end:
requested (the member asked from the phone) → open (home staff took it on, or opened it
themselves) → closed (with an outcome). Every step is a `SupportCaseStep`; a case without a
step for SUPPORT_CASE_STALE_DAYS reminds the home branch. Cases are sensitive like the
family situation: the member and home staff in scope only; need, steps and outcome are
stored encrypted.

A contribution is recorded by the member (or by staff) and confirmed or declined by home
staff; confirmed contributions of a year's campaign are what the county names 回馈标兵 from.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Member
from sanyuan.crypto import EncryptedTextField


class SupportCase(models.Model):
    class Kind(models.TextChoices):
        ILLNESS = "illness", "大病就医"
        ELDERLY_CARE = "elderly_care", "老人照料"
        SCHOOLING = "schooling", "子女上学"
        FARM_WORK = "farm_work", "农忙生产"
        HOUSING = "housing", "住房困难"
        OTHER = "other", "其他困难"

    class Status(models.TextChoices):
        REQUESTED = "requested", "待受理"
        OPEN = "open", "帮扶中"
        CLOSED = "closed", "已办结"

    OPEN_STATUSES = (Status.REQUESTED, Status.OPEN)

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="support_cases"
    )
    kind = models.CharField("困难类型", max_length=20, choices=Kind.choices)
    need = EncryptedTextField("困难情况和需求")
    helper = models.CharField("帮扶责任人", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    asked_by_member = models.BooleanField("党员本人申请", default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="立案人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    last_step_at = models.DateTimeField("最近进展时间")
    reminded_at = models.DateTimeField("最近提醒时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = EncryptedTextField("办结情况", blank=True, default="")

    class Meta:
        verbose_name = "困难帮扶"
        verbose_name_plural = "困难帮扶"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "last_step_at"], name="supportcase_status_step_idx"),
            models.Index(fields=["member", "-id"], name="supportcase_member_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class SupportCaseStep(models.Model):
    class Kind(models.TextChoices):
        ASKED = "asked", "党员申请帮扶"
        OPENED = "opened", "立案"
        ACCEPTED = "accepted", "受理"
        PROGRESS = "progress", "帮扶进展"
        CLOSED = "closed", "办结"

    case = models.ForeignKey(
        SupportCase, verbose_name="困难帮扶", on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    note = EncryptedTextField("情况记录", blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶进展"
        verbose_name_plural = "帮扶进展"
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_kind_display()


class Campaign(models.Model):
    """回馈家乡 campaign of one year (e.g. "2026年"回馈家乡·助力振兴"行动") with its rules; the
    county names 回馈标兵 from the confirmed contributions of its year."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("活动名称", max_length=100)
    rules = models.TextField("评选规则")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "回馈家乡年度活动"
        verbose_name_plural = "回馈家乡年度活动"
        ordering = ["-year"]

    def __str__(self):
        return self.title


class SupportGroupMembership(models.Model):
    """A member in the hometown support group (后援团), with what they offer."""

    class Offer(models.TextChoices):
        SKILLS = "skills", "技能帮带"
        JOBS = "jobs", "提供岗位"
        INVESTMENT = "investment", "投资兴业"
        DONATION = "donation", "捐资助学助困"

    member = models.OneToOneField(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="support_membership"
    )
    offers = models.JSONField("可提供的支持", default=list)
    note = models.CharField("补充说明", max_length=200, blank=True)
    publicity_consent = models.BooleanField("同意宣传报道", default=False)
    consent_recorded_at = models.DateTimeField("同意宣传时间", null=True, blank=True)
    joined_at = models.DateTimeField("加入时间")
    left_at = models.DateTimeField("退出时间", null=True, blank=True)

    class Meta:
        verbose_name = "后援团成员"
        verbose_name_plural = "后援团成员"
        ordering = ["-joined_at", "-id"]

    def __str__(self):
        return f"{self.member_id} 后援团"

    @property
    def is_active(self) -> bool:
        return self.left_at is None

    def offer_labels(self) -> list[str]:
        labels = dict(self.Offer.choices)
        return [labels[key] for key in self.offers if key in labels]


class Contribution(models.Model):
    """What a member gave back (企业回迁、资金回流、岗位、捐赠、项目): recorded by the member or
    staff, confirmed or declined by home staff in scope."""

    class Kind(models.TextChoices):
        RELOCATION = "relocation", "企业回迁"
        INVESTMENT = "investment", "资金回流"
        JOBS = "jobs", "提供就业岗位"
        DONATION = "donation", "捐资捐物"
        PROJECT = "project", "引进项目"

    class Status(models.TextChoices):
        RECORDED = "recorded", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "未确认"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="contributions"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="年度活动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("事项", max_length=100)
    amount = models.PositiveBigIntegerField("金额（元）", null=True, blank=True)
    jobs = models.PositiveIntegerField("岗位数", null=True, blank=True)
    happened_on = models.DateField("日期")
    description = models.TextField("情况说明", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.RECORDED, db_index=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decline_reason = models.CharField("未确认原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "回馈家乡贡献"
        verbose_name_plural = "回馈家乡贡献"
        ordering = ["-id"]
        indexes = [models.Index(fields=["member", "-id"], name="contribution_member_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="jobs") | Q(jobs__gt=0), name="contribution_jobs_counted"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


class Pacesetter(models.Model):
    """A 回馈标兵 named by the county for a campaign, from the member's confirmed
    contributions; `article_id` is the 优秀典型 article published with it (learning app,
    referred to by id: feature apps do not import each other)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name="年度活动", on_delete=models.PROTECT, related_name="pacesetters"
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="pacesetter_titles"
    )
    citation = models.TextField("先进事迹")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评选人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    named_at = models.DateTimeField("评选时间", auto_now_add=True)
    article_id = models.PositiveIntegerField("优秀典型文章", null=True, blank=True)

    class Meta:
        verbose_name = "回馈标兵"
        verbose_name_plural = "回馈标兵"
        ordering = ["-named_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_title_per_campaign")
        ]

    def __str__(self):
        return f"{self.campaign.year} {self.member_id}"


__all__ = [
    "Campaign",
    "Contribution",
    "Pacesetter",
    "SupportCase",
    "SupportCaseStep",
    "SupportGroupMembership",
]
