"""Organisation activities (组织活动): 三会一课, theme party days and theme education.

An `Activity` belongs to its organising organisation; its audience says which members it is
for. Members reply (`Attendance`), staff record who took part afterwards, and materials
(minutes, study material, documents) are attached at any time, also after the activity.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import Member, Organization


class Activity(models.Model):
    class Kind(models.TextChoices):
        GENERAL_MEETING = "general_meeting", "支部党员大会"
        COMMITTEE_MEETING = "committee_meeting", "支委会"
        GROUP_MEETING = "group_meeting", "党小组会"
        PARTY_LECTURE = "party_lecture", "党课"
        THEME_DAY = "theme_day", "主题党日"
        THEME_EDUCATION = "theme_education", "主题教育"

    # 三会一课: the four kinds with a required cadence.
    THREE_MEETINGS_ONE_LECTURE = (
        Kind.GENERAL_MEETING,
        Kind.COMMITTEE_MEETING,
        Kind.GROUP_MEETING,
        Kind.PARTY_LECTURE,
    )

    class Audience(models.TextChoices):
        ORGANIZATION = "organization", "本组织党员"
        SUBTREE = "subtree", "本组织及下级组织党员"
        TEMPORARY_BRANCH = "temporary_branch", "临时党支部成员"
        HOSTED = "hosted", "流入地党组织服务的党员"

    class Status(models.TextChoices):
        PLANNED = "planned", "筹备中"
        PUBLISHED = "published", "已发布"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    organization = models.ForeignKey(
        Organization,
        verbose_name="组织单位",
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,  # activity_org_start_idx (organization, starts_at, id) covers it
    )
    kind = models.CharField("活动类型", max_length=30, choices=Kind.choices)
    title = models.CharField("活动主题", max_length=120)
    agenda = models.TextField("议程", blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200, blank=True)
    online_url = models.URLField("线上参会链接", max_length=500, blank=True)
    audience = models.CharField(
        "参加对象", max_length=20, choices=Audience.choices, default=Audience.ORGANIZATION
    )
    host_name = models.CharField("主持人", max_length=60, blank=True)
    recorder_name = models.CharField("记录人", max_length=60, blank=True)
    lecturer_name = models.CharField("授课人", max_length=60, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    held_at = models.DateTimeField("确认召开时间", null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True, editable=False)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    # Set by the reminder task together with a notice whose dedupe key is
    # "activity-reminder:<id>", so a reminder goes out once at most.
    reminded_at = models.DateTimeField("提醒发送时间", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "组织活动"
        verbose_name_plural = "组织活动"
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Members' lists: activities of a few organisations (their ancestry, temporary
            # branches, host organisations) by start time; staff lists by organisation.
            models.Index(fields=["organization", "starts_at", "id"], name="activity_org_start_idx"),
            # Staff lists across a scope, newest first, and the cadence report.
            models.Index(fields=["starts_at", "id"], name="activity_start_idx"),
            # The reminder sweep: published, not yet reminded, by start time.
            models.Index(
                fields=["starts_at"],
                name="activity_to_remind_idx",
                condition=Q(status="published", reminded_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def audience_label(self) -> str:
        """Who is invited, in words: a 支委会 is for the branch committee's seats only
        (activities.audience), whatever its audience field says."""
        if self.kind == self.Kind.COMMITTEE_MEETING:
            return "本支部支委会成员"
        return self.get_audience_display()

    @property
    def is_three_meetings_one_lecture(self) -> bool:
        return self.kind in self.THREE_MEETINGS_ONE_LECTURE

    @property
    def accepts_replies(self) -> bool:
        """Members may still say 参加 or 请假: published and not over yet."""
        return self.status == self.Status.PUBLISHED and self.ends_at > timezone.now()

    @property
    def is_visible_to_members(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.HELD) or (
            self.status == self.Status.CANCELLED and self.published_at is not None
        )


class ActivityMaterial(models.Model):
    class Kind(models.TextChoices):
        MINUTES = "minutes", "会议纪要"
        STUDY_MATERIAL = "study_material", "学习资料"
        DOCUMENT = "document", "文件精神"

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField("资料类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=120)
    # Sanitised rich text (sanyuan.sanitize.clean_html), e.g. minutes written in place.
    body = models.TextField("正文", blank=True)
    file = models.FileField("文件", upload_to="activities/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=100, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("文件大小（字节）", default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动资料"
        verbose_name_plural = "活动资料"
        ordering = ["activity", "kind", "id"]

    def __str__(self):
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Attendance(models.Model):
    """One member and one activity: the member's reply, whether they took part (recorded by
    staff afterwards) and whether they confirmed studying the materials. A new reply
    replaces the old one (one row per activity and member)."""

    class Status(models.TextChoices):
        ATTENDING = "attending", "参加"
        EXCUSED = "excused", "请假"

    class Participation(models.TextChoices):
        IN_PERSON = "in_person", "现场参加"
        ONLINE = "online", "线上参加"

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="activity_attendances"
    )
    status = models.CharField("回复", max_length=20, choices=Status.choices, blank=True, default="")
    reason = models.CharField("请假事由", max_length=200, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    # A member without an account cannot reply: staff who reached them (SMS, a call) record
    # the reply for them. Empty when the member replied themselves.
    reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代为登记回复的工作人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participation = models.CharField(
        "实际参加", max_length=20, choices=Participation.choices, blank=True, default=""
    )
    participation_recorded_at = models.DateTimeField("参加情况登记时间", null=True, blank=True)
    participation_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The member's home organisation when the row was written (and again when participation
    # was recorded): an activity attended at a host organisation, in a temporary branch or
    # online counts for this branch's organisational life, even if the member moves later.
    home_organization = models.ForeignKey(
        Organization,
        verbose_name="计入党组织",
        on_delete=models.PROTECT,
        related_name="credited_attendances",
    )
    studied_at = models.DateTimeField("确认已学习资料时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "参会情况"
        verbose_name_plural = "参会情况"
        ordering = ["activity", "member"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_unique"),
        ]
        indexes = [
            models.Index(fields=["member", "activity"], name="attendance_member_idx"),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.activity.title}"

    @property
    def took_part(self) -> bool:
        return bool(self.participation)
