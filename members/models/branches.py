"""Living temporary branches (临时党支部): the rule a branch keeps (where its members work:
a city or a province, optionally a skill or an employer) and the proposals that keep its
membership following the archive (members who move there are proposed to the branch's
staff and join on acceptance; members who leave are proposed for removal). The history of
joins and leaves is TemporaryBranchMembership's `joined_at` / `left_at`, with the decided
proposals beside it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .organizations import Organization
from .people import Member, Skill


class TemporaryBranchRule(models.Model):
    branch = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="temporary_rule",
        verbose_name="临时党支部",
        limit_choices_to={"kind": Organization.Kind.TEMPORARY_BRANCH},
    )
    destination_province = models.CharField("流入省份", max_length=6, blank=True)
    destination_city = models.CharField("流入城市", max_length=6, blank=True)
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="技能"
    )
    employer = models.CharField("工作单位（包含）", max_length=100, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "临时党支部成员规则"
        verbose_name_plural = "临时党支部成员规则"

    def __str__(self):
        return f"{self.branch_id}: {self.destination_city or self.destination_province}"

    def members_q(self) -> Q:
        """The archives this rule gathers (away, in the place; the skill and employer when
        given). The caller limits them to the branch's parent subtree."""
        q = Q(status="away")
        if self.destination_city:
            q &= Q(destination_city=self.destination_city)
        elif self.destination_province:
            q &= Q(destination_province=self.destination_province)
        else:
            return Q(pk__in=[])
        if self.skill_id:
            q &= Q(
                pk__in=Member.skills.through.objects.filter(skill_id=self.skill_id).values(
                    "member_id"
                )
            )
        if self.employer:
            q &= Q(employer__icontains=self.employer)
        return q


class TemporaryBranchProposal(models.Model):
    class Kind(models.TextChoices):
        JOIN = "join", "拟加入"
        LEAVE = "leave", "拟移出"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "已确认"
        DECLINED = "declined", "未同意"

    branch = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="temporary_proposals",
        verbose_name="临时党支部",
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name="党员"
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField("原因", max_length=200, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="确认人",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "临时党支部成员变动"
        verbose_name_plural = "临时党支部成员变动"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "member"],
                condition=Q(status="pending"),
                name="one_pending_branch_proposal",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.member_id} → {self.branch_id}"


class BranchCommitteeSeat(models.Model):
    """A seat on a branch committee (支部委员会). Committee meetings (支委会) are for the
    members holding a seat on the committee of the meeting's organisation; a seat on another
    organisation (one the member has since left, say) does not count there."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        ORGANIZATION = "organization", "组织委员"
        PUBLICITY = "publicity", "宣传委员"
        DISCIPLINE = "discipline", "纪检委员"
        MEMBER = "member", "委员"

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="committee_seats",
        verbose_name="党支部",
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="committee_seats", verbose_name="党员"
    )
    role = models.CharField("职务", max_length=20, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField("任职日期", null=True, blank=True)

    class Meta:
        verbose_name = "支部委员"
        verbose_name_plural = "支部委员"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "member"], name="committee_seat_unique_member"
            )
        ]

    def __str__(self):
        return f"{self.organization_id}: {self.member_id} ({self.get_role_display()})"
