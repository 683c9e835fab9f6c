from types import SimpleNamespace

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from sanyuan.crypto import (
    EncryptedCharField,
    EncryptedIntegerField,
    EncryptedTextField,
    KeyedHashField,
)

from .. import choices
from ..identity import mask_id_number, mask_phone
from .organizations import Organization


class User(AbstractUser):
    """Every account: staff (who hold grants on organisations) and members (linked from
    `Member.user`). Members never choose a username: theirs is `member-<archive id>`."""

    MEMBER_USERNAME_PREFIX = "member-"

    # 适老化: larger type, larger touch targets, higher contrast; follows the person to any device.
    large_text = models.BooleanField("大字模式", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    @property
    def display_name(self) -> str:
        """How the person is named to others: a member by the archive's name (never the
        internal `member-<id>`), staff by their name if the account has one, else the login
        name. Select `member` with the user when listing many."""
        from django.core.exceptions import ObjectDoesNotExist

        try:
            return self.member.name
        except ObjectDoesNotExist:
            return f"{self.last_name}{self.first_name}".strip() or self.username


class Skill(models.Model):
    """A skill from the maintained list (staff can extend it); used to target training."""

    name = models.CharField("技能", max_length=30, unique=True)
    category = models.CharField("类别", max_length=30, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "技能"
        verbose_name_plural = "技能"
        ordering = ["category", "name"]

    def __str__(self):
        return self.name


class IncomeBandField(models.CharField):
    """The band (choices.INCOME_BANDS) of the row's encrypted monthly_income, NULL when that
    is unknown: what the dashboard counts and filters on. Derived whenever the ORM writes the
    row, as KeyedHashField."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("choices", [(key, label) for key, label, *_ in choices.INCOME_BANDS])
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def derive(self, instance) -> str | None:
        return choices.income_band(instance.monthly_income)

    def pre_save(self, model_instance, add):
        value = self.derive(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class MemberQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """A value given for phone or monthly_income brings its derived columns along (an
        UPDATE does not call Field.pre_save), so that no write path leaves them stale."""
        for source, derived in Member.DERIVED_FIELDS.items():
            if source not in kwargs or all(name in kwargs for name in derived):
                continue
            value = kwargs[source]
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"Member.{source} from an expression: give {derived} too.")
            stub = SimpleNamespace(**{source: value})
            for name in derived:
                kwargs[name] = Member._meta.get_field(name).derive(stub)
        if "phone" in kwargs:
            kwargs.setdefault("phone_confirmed_at", None)  # a number set here is unconfirmed
        return super().update(**kwargs)

    update.alters_data = True


class Member(models.Model):
    """The electronic archive (电子信息档案) of a mobile party member."""

    ENCRYPTED_FIELDS = (
        "id_number",
        "phone",
        "monthly_income",
        "family_situation",
        "mindset_note",
    )
    # Columns computed from another field of the row whenever it is written: a partial save
    # or a bulk_update that names the source names these too (save() adds them).
    DERIVED_FIELDS = {"phone": ("phone_hash",), "monthly_income": ("income_band",)}

    class Sex(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    name = models.CharField("姓名", max_length=30, db_index=True)
    id_number = EncryptedTextField("身份证号码", editable=False)
    id_number_hash = models.CharField("身份证号码索引", max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField("身份证号码（脱敏）", max_length=18, editable=False)
    # Keyed hashes rebuilt from this row's encrypted values when PII_HASH_KEY changes
    # (manage.py rotate_pii_keys; sanyuan/keys.py): hash field -> (encrypted field, purpose).
    KEYED_HASHES = {
        "id_number_hash": ("id_number", "id_number"),
        "phone_hash": ("phone", "phone"),
    }
    sex = models.CharField("性别", max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField("出生日期", editable=False)
    ethnicity = models.CharField(
        "民族", max_length=10, choices=choices.ETHNICITY_CHOICES, default="汉族"
    )
    phone = EncryptedCharField("手机号码", max_length=11)
    # Not unique: family members may share one number. Exact search, SMS replies and the
    # "has a phone" condition (phone_hash <> '') go through it, never the encrypted column.
    phone_hash = KeyedHashField("手机号码索引", source="phone", purpose="phone", db_index=True)
    education = models.CharField(
        "学历", max_length=20, choices=choices.Education.choices, blank=True
    )
    party_standing = models.CharField(
        "党员类别",
        max_length=20,
        choices=choices.PartyStanding.choices,
        default=choices.PartyStanding.FULL,
    )
    joined_party_on = models.DateField("入党时间", null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name="流出地党组织",
        on_delete=models.PROTECT,
        related_name="members",
    )
    left_home_on = models.DateField("流出时间", null=True, blank=True)
    destination_province = models.CharField("流入省份", max_length=6, blank=True, db_index=True)
    destination_city = models.CharField("流入城市", max_length=6, blank=True, db_index=True)
    destination_district = models.CharField("流入区县", max_length=6, blank=True)
    destination_address = models.CharField("详细地址", max_length=200, blank=True)
    host_organization = models.ForeignKey(
        Organization,
        verbose_name="流入地党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_members",
    )
    occupation = models.CharField(
        "职业", max_length=20, choices=choices.Occupation.choices, blank=True
    )
    employer = models.CharField("工作单位", max_length=100, blank=True)
    monthly_income = EncryptedIntegerField("月收入（元）", null=True, blank=True)
    income_band = IncomeBandField("月收入区间", db_index=True)
    skills = models.ManyToManyField(Skill, verbose_name="技能", blank=True, related_name="members")
    family_situation = EncryptedTextField("家中生产生活情况", blank=True, default="")
    mindset_note = EncryptedTextField("思想状况（工作人员记录）", blank=True, default="")
    status = models.CharField(
        "流动状态",
        max_length=20,
        choices=choices.MemberStatus.choices,
        default=choices.MemberStatus.AWAY,
        db_index=True,
    )
    # 思想状况: the latest assessment recorded with a contact (ContactLog.mindset) and the
    # day of that contact, kept by members.services.contacts so that the dashboard counts
    # and drills down on the archive row alone. Home staff in scope only (as mindset_note).
    mindset = models.CharField(
        "最近思想状况评估",
        max_length=12,
        choices=choices.Mindset.choices,
        blank=True,
        default="",
        db_default="",  # bulk loaders (members/scale.py) leave the column out
    )
    mindset_assessed_on = models.DateField("思想状况评估日期", null=True, blank=True)
    is_vanguard = models.BooleanField("先锋党员", default=False)
    is_giving_back_pacesetter = models.BooleanField("回馈标兵", default=False)
    support_group = models.BooleanField("加入后援团", default=False)
    last_contacted_at = models.DateTimeField("最近联系时间", null=True, blank=True)
    # Engagement, kept here by the apps through members.services.archive.member_engagement_touch,
    # so that the dashboard and the lost-contact alert never query the other apps' tables.
    last_studied_at = models.DateTimeField("最近学习时间", null=True, blank=True)
    last_attended_at = models.DateTimeField("最近参加组织活动时间", null=True, blank=True)
    last_posted_at = models.DateTimeField("最近发帖时间", null=True, blank=True)
    # 失联风险: no contact, no login and no study for 90 days (set and cleared by
    # members.services.alerts); the responsible organisation's staff see it at once, the
    # staff above it after 30 more days (escalation).
    lost_contact_since = models.DateTimeField(
        "失联风险标记时间", null=True, blank=True, db_index=True
    )
    lost_contact_responsible = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="失联风险责任组织",
    )
    lost_contact_escalated_at = models.DateTimeField("失联风险上报时间", null=True, blank=True)
    # Text messages: the member replied TD/退订/R (or staff set it): no notice by SMS.
    sms_opt_out = models.BooleanField("短信退订", default=False)
    sms_opt_out_at = models.DateTimeField("短信退订时间", null=True, blank=True)
    # A gateway reported the archive's number invalid (空号): 号码待核实 until staff fix it.
    phone_invalid_at = models.DateTimeField("号码待核实（标记时间）", null=True, blank=True)
    # When the member last proved they hold the archive's number with a code sent to it by
    # SMS (activation, password reset or phone login). Cleared when the number changes on any
    # write path; phone + code login needs it within PHONE_CONFIRMED_DAYS (numbers are
    # recycled).
    phone_confirmed_at = models.DateTimeField("手机号码确认时间", null=True, blank=True)

    # Every change of the archive: who, when, what. Encrypted fields stay encrypted there too.
    history = HistoricalRecords(
        verbose_name="档案变更历史",
        m2m_fields=[skills],
        excluded_fields=[
            "updated_at",
            "last_studied_at",
            "last_attended_at",
            "last_posted_at",
            "last_contacted_at",
            "mindset",
            "mindset_assessed_on",
            "lost_contact_since",
            "lost_contact_responsible",
            "lost_contact_escalated_at",
            "sms_opt_out_at",
            "phone_invalid_at",
            "phone_confirmed_at",
        ],
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

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "流动党员档案"
        verbose_name_plural = "流动党员档案"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["organization", "-id"], name="member_org_id_idx"),
            models.Index(fields=["host_organization", "-id"], name="member_host_id_idx"),
            # Scope checks join rows that point at a member (change requests, attendance,
            # study records) to the member's organisation: an index-only lookup, not a read
            # of the wide archive row.
            models.Index(fields=["id"], include=["organization"], name="member_id_org_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.id_number_masked}）" if self.id_number_masked else self.name

    def save(self, *args, update_fields=None, **kwargs):
        if self.phone_changed():
            self.phone_confirmed_at = None  # a new number is not confirmed yet
        if update_fields is not None:
            update_fields = self.with_derived_fields(update_fields)
        super().save(*args, update_fields=update_fields, **kwargs)
        self._loaded_phone = self.__dict__.get("phone")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_phone = instance.__dict__.get("phone")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        if "phone" in self.__dict__:
            self._loaded_phone = self.__dict__.get("phone")

    def phone_changed(self) -> bool:
        """Whether `phone` differs from the value read from the database (False for a new
        instance, or one read without the phone)."""
        loaded = getattr(self, "_loaded_phone", None)
        return loaded is not None and self.phone != loaded

    @classmethod
    def with_derived_fields(cls, fields) -> list[str]:
        """`fields` plus the columns derived from them (for update_fields, bulk_update)."""
        names = list(fields)
        for source, derived in cls.DERIVED_FIELDS.items():
            if source in names:
                names += [name for name in derived if name not in names]
        if "phone" in names and "phone_confirmed_at" not in names:
            names.append("phone_confirmed_at")
        return names

    def derive_fields(self) -> None:
        """Recompute the derived columns on this instance (before a bulk_update, which does
        not call Field.pre_save)."""
        for derived in self.DERIVED_FIELDS.values():
            for name in derived:
                field = self._meta.get_field(name)
                setattr(self, field.attname, field.derive(self))
        if self.phone_changed():
            self.phone_confirmed_at = None

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def honours(self) -> list[str]:
        values = []
        if self.is_vanguard:
            values.append(choices.Honour.VANGUARD.value)
        if self.is_giving_back_pacesetter:
            values.append(choices.Honour.GIVING_BACK_PACESETTER.value)
        return values

    @property
    def is_activated(self) -> bool:
        return self.user_id is not None

    def set_id_number(self, value: str) -> None:
        """Caller passes a value already normalised by identity.normalize_id_number."""
        from sanyuan.crypto import keyed_hash

        from ..identity import id_number_birth_date, id_number_sex

        self.id_number = value
        self.id_number_hash = keyed_hash(value, purpose="id_number")
        self.id_number_masked = mask_id_number(value)
        self.birth_date = id_number_birth_date(value)
        self.sex = id_number_sex(value)


class TemporaryBranchMembership(models.Model):
    """A member who joined a temporary branch (临时党支部) where members gather, keeping
    their home organisation. `left_at` is set when they leave or the branch is dissolved."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="temporary_memberships", verbose_name="党员"
    )
    branch = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="temporary_memberships",
        verbose_name="临时党支部",
        limit_choices_to={"kind": Organization.Kind.TEMPORARY_BRANCH},
    )
    joined_at = models.DateTimeField("加入时间", auto_now_add=True)
    left_at = models.DateTimeField("离开时间", null=True, blank=True)

    class Meta:
        verbose_name = "临时党支部成员"
        verbose_name_plural = "临时党支部成员"
        constraints = [
            models.UniqueConstraint(
                fields=["member", "branch"],
                condition=models.Q(left_at__isnull=True),
                name="one_open_temporary_membership",
            )
        ]

    def __str__(self):
        return f"{self.member_id} @ {self.branch_id}"
