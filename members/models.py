from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from sanyuan.crypto import EncryptedTextField

from .identity import mask_id_number, mask_phone


class User(AbstractUser):
    """Every account: staff (who hold grants on organisations) and members (linked from
    `Member.user`). Members never choose a username: theirs is `member-<archive id>`."""

    MEMBER_USERNAME_PREFIX = "member-"

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"


class Organization(models.Model):
    """A node of the party organisation tree, stored with a materialised path.

    `path` is `/<id>/<id>/…/<own id>/`: every descendant's path starts with it, so
    "all descendants" is one prefix query on an indexed column (varchar_pattern_ops on
    PostgreSQL), and the ancestors are the ids in the path.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县（区）"
        COMMITTEE = "committee", "基层党（工）委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
        HOST = "host", "流入地党组织"

    # A grant on one of these kinds is the county tier (top of an installation).
    TOP_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY)

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        permissions = [("manage_organization", "管理本组织及其下级组织")]

    def __str__(self):
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def is_descendant_of(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """django-guardian grants on organisations, in their own table with a real foreign key
    (guardian's generic table does not scale and cannot be joined cheaply)."""

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "组织授权（用户）"
        verbose_name_plural = "组织授权（用户）"


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "组织授权（用户组）"
        verbose_name_plural = "组织授权（用户组）"


class Member(models.Model):
    """The electronic archive (电子信息档案) of a mobile party member."""

    class Sex(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    name = models.CharField("姓名", max_length=30, db_index=True)
    id_number = EncryptedTextField("身份证号码", editable=False)
    id_number_hash = models.CharField("身份证号码索引", max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("身份证号码（脱敏）", max_length=18, editable=False)
    sex = models.CharField("性别", max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    phone = models.CharField("手机号码", max_length=11)
    organization = models.ForeignKey(
        Organization,
        verbose_name="流出地党组织",
        on_delete=models.PROTECT,
        related_name="members",
    )
    user = models.OneToOneField(
        User,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    activated_at = models.DateTimeField("激活时间", null=True, blank=True)
    privacy_notice_version = models.CharField("已同意的隐私告知版本", max_length=20, blank=True)
    privacy_accepted_at = models.DateTimeField("同意隐私告知时间", null=True, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "流动党员档案"
        verbose_name_plural = "流动党员档案"
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "-id"], name="member_org_id_idx")]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_activated(self) -> bool:
        return self.user_id is not None

    def set_id_number(self, value: str) -> None:
        """Caller passes a value already normalised by identity.normalize_id_number."""
        from sanyuan.crypto import keyed_hash

        from .identity import id_number_birth_date, id_number_sex

        self.id_number = value
        self.id_number_hash = keyed_hash(value, purpose="id_number")
        self.id_number_masked = mask_id_number(value)
        self.birth_date = id_number_birth_date(value)
        self.sex = id_number_sex(value)


class OneTimeCode(models.Model):
    """A 6-digit code for activation or password reset. Only its keyed hash is stored."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        STAFF = "staff", "工作人员签发"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="one_time_codes", verbose_name="档案"
    )
    code_hash = models.CharField("验证码摘要", max_length=64)
    channel = models.CharField("来源", max_length=10, choices=Channel.choices)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="签发人"
    )
    reason = models.CharField("签发原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性验证码"
        verbose_name_plural = "一次性验证码"
        indexes = [
            models.Index(
                fields=["member", "-created_at"],
                name="otc_live_idx",
                condition=Q(used_at__isnull=True, voided_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """Append-only record of security-relevant actions. Never holds decrypted personal data:
    field names and masked values only."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="操作人"
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    target_type = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象", max_length=40, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
