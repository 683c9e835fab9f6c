"""Organisational relationship transfers (组织关系转接): moving a member's membership.

Three kinds, each with its own states (transfers/permissions.py says who moves them):

- inside the county (`within_county`): requested → approved (the sending side's staff) →
  accepted (the receiving side's staff; the archive moves to the new branch);
- out of the county (`outgoing`): prepared (committee staff) → letter_issued (the county
  tier numbers an `IntroductionLetter`; the member becomes 转出中) → receipt_recorded (the
  回执 is back; the member is 已转出). A letter past its validity without receipt makes the
  transfer `expired`: back to staff attention, reissued with a new number;
- into the county (`incoming`): registered (staff record an incoming member with the
  letter's details; the archive is created and activates as any new one).

Any open transfer may end `rejected` or `withdrawn`. Every step is one `TransferEvent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.models import Member, Organization


class Transfer(models.Model):
    class Kind(models.TextChoices):
        WITHIN_COUNTY = "within_county", "县内转接"
        OUTGOING = "outgoing", "转出县外"
        INCOMING = "incoming", "县外转入"

    class Status(models.TextChoices):
        REQUESTED = "requested", "待转出方审批"
        APPROVED = "approved", "待接收方接收"
        ACCEPTED = "accepted", "已接收"
        PREPARED = "prepared", "待开具介绍信"
        LETTER_ISSUED = "letter_issued", "已开介绍信，待回执"
        EXPIRED = "expired", "介绍信逾期未回执"
        RECEIPT_RECORDED = "receipt_recorded", "回执已登记"
        REGISTERED = "registered", "已登记转入"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已撤回"

    # A member has at most one of these at a time (transfer_one_open_per_member).
    OPEN_STATUSES = (
        Status.REQUESTED,
        Status.APPROVED,
        Status.PREPARED,
        Status.LETTER_ISSUED,
        Status.EXPIRED,
    )

    kind = models.CharField("转接类型", max_length=20, choices=Kind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    # The sending organisation inside the installation (none for a transfer into the county)
    # and the receiving one (none for a transfer out of the county).
    from_organization = models.ForeignKey(
        Organization,
        verbose_name="转出党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_organization = models.ForeignKey(
        Organization,
        verbose_name="接收党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    # Full names as printed on the letter ("由……去……"): taken from the tree for organisations
    # of the installation, typed by staff for those outside it.
    from_name = models.CharField("转出组织（全称）", max_length=120)
    to_name = models.CharField("接收组织（全称）", max_length=120)
    reason = models.CharField("转接原因", max_length=500)
    # The member's status before the letter made them 转出中, restored on withdrawal.
    member_status_before = models.CharField("转出前流动状态", max_length=20, blank=True)
    reject_reason = models.CharField("未通过原因", max_length=300, blank=True)
    receipt_reported_on = models.DateField("回执日期（报到日期）", null=True, blank=True)
    receipt_from_name = models.CharField("回执单位", max_length=120, blank=True)
    receipt_recorded_at = models.DateTimeField("回执登记时间", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    updated_at = models.DateTimeField("最近办理时间", auto_now=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(
                    status__in=["requested", "approved", "prepared", "letter_issued", "expired"]
                ),
                name="transfer_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="within_county",
                        from_organization__isnull=False,
                        to_organization__isnull=False,
                    )
                    & ~Q(from_organization=F("to_organization"))
                )
                | Q(kind="outgoing", from_organization__isnull=False, to_organization=None)
                | Q(kind="incoming", from_organization=None, to_organization__isnull=False),
                name="transfer_organizations_fit_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["from_organization", "status"], name="transfer_from_status_idx"),
            models.Index(fields=["to_organization", "status"], name="transfer_to_status_idx"),
            models.Index(fields=["status", "kind"], name="transfer_status_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.from_name} → {self.to_name}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def letter_number(self) -> str:
        """The number of the letter in force (GLOSSARY: `Transfer.letter_number`); a reissue
        voids the old letter, whose number stays used. Reads prefetched `letters` if any."""
        current = [letter for letter in self.letters.all() if letter.voided_at is None]
        return current[0].number if current else ""


class IntroductionLetter(models.Model):
    """中国共产党党员组织关系介绍信: the number comes from the provincial platform (the system of
    record), entered by county staff; a number is used once. Out of the county, the letter is
    issued here (and printed in three parts: 存根, 介绍信, 回执); into the county, it is the
    incoming letter's details, recorded on registration."""

    DEFAULT_VALIDITY_DAYS = 30
    MAX_VALIDITY_DAYS = 90

    transfer = models.ForeignKey(
        Transfer, verbose_name="组织关系转接", on_delete=models.CASCADE, related_name="letters"
    )
    number = models.CharField("介绍信编号", max_length=40, unique=True)
    issued_on = models.DateField("开具日期")
    validity_days = models.PositiveSmallIntegerField("有效期（天）")
    expires_on = models.DateField("有效期至")
    # 党费交至: entered by staff (or supplied by the dues ledger, TRANSFER_DUES_PAID_UNTIL);
    # always the first day of the month.
    dues_paid_until = models.DateField("党费交至（年月）")
    from_name = models.CharField("转出组织（全称）", max_length=120)
    to_name = models.CharField("接收组织（全称）", max_length=120)
    # Where the 回执 goes back to (the sending 基层党委).
    receipt_to_name = models.CharField("回执寄回单位", max_length=120, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="开具（登记）人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField("登记时间", auto_now_add=True)
    printed_count = models.PositiveIntegerField("打印次数", default=0)
    last_printed_at = models.DateTimeField("最近打印时间", null=True, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "组织关系介绍信"
        verbose_name_plural = "组织关系介绍信"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_days__gte=1, validity_days__lte=90),
                name="letter_validity_1_to_90_days",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("issued_on")), name="letter_expires_after_issue"
            ),
        ]
        indexes = [
            # The expiry sweep: letters in force by expiry date.
            models.Index(
                fields=["expires_on"], name="letter_in_force_idx", condition=Q(voided_at=None)
            ),
        ]

    def __str__(self):
        return f"第{self.number}号"


class TransferEvent(models.Model):
    """One step of a transfer: who, when, from which state to which, with a note."""

    class Action(models.TextChoices):
        REQUEST = "request", "提出申请"
        APPROVE = "approve", "转出方同意"
        REJECT = "reject", "未通过"
        ACCEPT = "accept", "接收方接收"
        WITHDRAW = "withdraw", "撤回"
        PREPARE = "prepare", "准备转出县外"
        ISSUE_LETTER = "issue_letter", "开具介绍信"
        EXPIRE = "expire", "介绍信逾期"
        RECORD_RECEIPT = "record_receipt", "登记回执"
        REGISTER = "register", "登记转入"
        PRINT_LETTER = "print_letter", "打印介绍信"
        PRINT_RECEIPT = "print_receipt", "打印回执"

    transfer = models.ForeignKey(
        Transfer, verbose_name="组织关系转接", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("办理事项", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "转接办理记录"
        verbose_name_plural = "转接办理记录"
        ordering = ["transfer", "id"]

    def __str__(self):
        return f"{self.get_action_display()} @ {self.created_at:%Y-%m-%d %H:%M}"
