"""Change requests (提交修改申请和依据), the contact log (动态联系) and roster imports."""

import json

from django.db import models
from django.db.models import Q

from sanyuan.crypto import EncryptedTextField

from .. import choices
from .organizations import Organization
from .people import Member, User


class ChangeRequest(models.Model):
    """A member asks to change archive fields, with a reason and evidence; staff review.

    `changes_json` holds {field: {"old": …, "new": …}} in wire form, encrypted, since it may
    contain income or family situation."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已撤回"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="change_requests", verbose_name="党员"
    )
    changes_json = EncryptedTextField("修改内容")
    fields = models.CharField("涉及字段", max_length=300)  # comma-separated, for lists
    reason = models.CharField("申请理由", max_length=500)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.CharField("审核意见", max_length=500, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "档案修改申请"
        verbose_name_plural = "档案修改申请"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="one_pending_change_request"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="change_request_queue_idx")]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"

    @property
    def field_labels(self) -> str:
        """The fields asked about, by their Chinese labels ("工作单位、手机号"), for lists."""
        from members.archive_fields import LABELS  # archive_fields imports the models

        return "、".join(LABELS.get(name, name) for name in self.fields.split(",") if name)

    @property
    def changes(self) -> dict:
        return json.loads(self.changes_json or "{}")

    @changes.setter
    def changes(self, value: dict) -> None:
        self.changes_json = json.dumps(value, ensure_ascii=False)


class ChangeEvidence(models.Model):
    """A file supporting a change request: an image re-encoded, or a PDF checked by content.
    Served only through a permission-checked view."""

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="evidence", verbose_name="申请"
    )
    file = models.FileField("文件", upload_to="private/evidence/%Y/%m/")
    content_type = models.CharField("类型", max_length=100)
    original_name = models.CharField("原文件名", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "修改依据"
        verbose_name_plural = "修改依据"

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ContactLog(models.Model):
    """Staff keeping in touch with a member (动态联系)."""

    class Channel(models.TextChoices):
        PHONE = "phone", "电话"
        WECHAT = "wechat", "微信"
        VISIT = "visit", "走访"
        MEETING = "meeting", "座谈"
        SMS = "sms", "短信"
        OTHER = "other", "其他"

    Mindset = choices.Mindset

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="contacts", verbose_name="党员"
    )
    staff = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="联系人"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="代表组织",
    )
    contacted_on = models.DateField("联系日期")
    channel = models.CharField("方式", max_length=10, choices=Channel.choices)
    note = EncryptedTextField("情况记录", blank=True, default="")
    mindset = models.CharField("思想状况", max_length=12, choices=Mindset.choices, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "动态联系记录"
        verbose_name_plural = "动态联系记录"
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["member", "-contacted_on"], name="contact_member_idx")]

    def __str__(self):
        return f"{self.member_id} {self.contacted_on}"


class RosterImport(models.Model):
    """An uploaded roster (Excel or CSV): checked in a dry run, then imported in one
    transaction. The file is kept encrypted and deleted after the import."""

    class Status(models.TextChoices):
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "已检查，待确认"
        QUEUED = "queued", "排队中"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        DISCARDED = "discarded", "已放弃"

    uploaded_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name="上传人"
    )
    file_name = models.CharField("文件名", max_length=100)
    content = EncryptedTextField("文件内容（加密）", blank=True, default="")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CHECKED)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    valid_rows = models.PositiveIntegerField("有效行数", default=0)
    errors_json = models.JSONField(
        "错误", default=list, blank=True
    )  # masked, never a full ID number
    created = models.PositiveIntegerField("新建", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    failure = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        ordering = ["-id"]

    def __str__(self):
        return self.file_name

    def errors_by_row(self, limit: int = 500) -> list[tuple[int, list[str]]]:
        """The problems grouped by spreadsheet row (a row may have several), in row order."""
        rows: dict[int, list[str]] = {}
        for error in self.errors_json or []:
            rows.setdefault(error["row"], []).append(error["message"])
        return sorted(rows.items())[:limit]

    @property
    def error_rows(self) -> int:
        """How many rows have a problem (not how many problems there are)."""
        return len({error["row"] for error in self.errors_json or []})
