"""民主评议党员: the annual democratic appraisal of a branch's members, online.

A round (`Appraisal`) belongs to one branch or general branch (党支部、党总支) and one year; its
participants (`AppraisalParticipant`) are the members of that organisation's subtree at the
opening: each writes a self-assessment (`SelfAssessment`, 自我评价), full members vote in a
secret ballot (民主测评), and the branch records each one's final rating (组织评定,
`AppraisalParticipant.final_rating`); an `unqualified` rating takes effect only once the
higher committee approves it.

The secret ballot is never stored as a ballot. One ballot is, in one transaction:
- one row (round, voter) in `BallotRegister` (unique: a second ballot fails), without a
  rating, without a timestamp;
- +1 on the `BallotTally` counter of (round, member rated, rating) for every member rated.
Neither table has a timestamp, and no history or audit entry is written for a ballot. Every
ballot also touches every counter and register row of its round (+0 where not chosen), so that
PostgreSQL's row versions (xmin) of a round all name the same, latest transaction and do not
pair a voter's register row with the counters that voter moved. Paper ballots (members
without an account) arrive as a branch's totals (`PaperTally`), never as a person's ballot.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.models import Member, Organization


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASICALLY_QUALIFIED = "basically_qualified", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class Appraisal(models.Model):
    """One round of 民主评议党员 for one organisation and year. The stages follow the dates:
    self-assessments until `self_assessment_ends_on`, the ballot from `ballot_starts_on` to
    `ballot_ends_on` (or until staff close it earlier), the branch's decisions until
    `decision_ends_on`; staff finish the round when every participant's rating is in force."""

    ORGANIZATION_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GENERAL_BRANCH)

    organization = models.ForeignKey(
        Organization,
        verbose_name="党组织",
        on_delete=models.PROTECT,
        related_name="appraisals",
        limit_choices_to={"kind__in": ORGANIZATION_KINDS},
    )
    year = models.PositiveSmallIntegerField("评议年度")
    self_assessment_ends_on = models.DateField("自我评价截止日期")
    ballot_starts_on = models.DateField("民主测评开始日期")
    ballot_ends_on = models.DateField("民主测评截止日期")
    decision_ends_on = models.DateField("组织评定截止日期")
    # Staff may close the ballot before its last day (everybody has voted at the meeting).
    ballot_closed_at = models.DateTimeField("民主测评结束时间", null=True, blank=True)
    # Paper ballots of members without an account: how many were cast (PaperTally: totals).
    paper_ballots = models.PositiveIntegerField("纸质测评票数", default=0)
    finished_at = models.DateTimeField("评议完成时间", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "民主评议党员"
        verbose_name_plural = "民主评议党员"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="appraisal_one_round_per_year"
            ),
            models.CheckConstraint(
                condition=Q(ballot_starts_on__lte=F("ballot_ends_on"))
                & Q(self_assessment_ends_on__lte=F("ballot_ends_on"))
                & Q(ballot_ends_on__lte=F("decision_ends_on")),
                name="appraisal_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["ballot_ends_on"], name="appraisal_open_idx", condition=Q(finished_at=None)
            ),
        ]

    def __str__(self):
        return f"{self.organization.name}{self.year}年度民主评议党员"


class AppraisalParticipant(models.Model):
    """A member taking part in a round (every member of the organisation's subtree at the
    opening), with the branch's final rating (组织评定)."""

    class Decision(models.TextChoices):
        NONE = "none", "待评定"
        PENDING_APPROVAL = "pending_approval", "待上级党委审批"
        EFFECTIVE = "effective", "已生效"

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="民主评议", on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="appraisals"
    )
    final_rating = models.CharField("组织评定", max_length=20, choices=Rating.choices, blank=True)
    final_reason = models.CharField("评定理由", max_length=500, blank=True)
    decision = models.CharField(
        "评定状态", max_length=20, choices=Decision.choices, default=Decision.NONE
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField("评定时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    approval_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "参加评议的党员"
        verbose_name_plural = "参加评议的党员"
        ordering = ["appraisal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "member"], name="appraisal_participant_once"
            ),
            models.CheckConstraint(
                condition=Q(decision="none") | ~Q(final_rating=""),
                name="appraisal_decision_has_rating",
            ),
        ]
        indexes = [models.Index(fields=["member", "appraisal"], name="appraisal_member_idx")]

    def __str__(self):
        return f"{self.member.name}（{self.appraisal}）"

    @property
    def effective_rating(self) -> str:
        return self.final_rating if self.decision == self.Decision.EFFECTIVE else ""


class SelfAssessment(models.Model):
    """自我评价: what the member writes about their year (one per member and round)."""

    MAX_LENGTH = 3000

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="民主评议", on_delete=models.CASCADE, related_name="assessments"
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="self_assessments"
    )
    text = models.TextField("自我评价")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "自我评价"
        verbose_name_plural = "自我评价"
        ordering = ["appraisal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "member"], name="self_assessment_once")
        ]

    def __str__(self):
        return f"{self.member.name}的自我评价"


class BallotRegister(models.Model):
    """Who has voted in a round: (round, voter), nothing else — no rating, no time."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="民主评议", on_delete=models.CASCADE, related_name="+"
    )
    voter = models.ForeignKey(Member, verbose_name="投票党员", on_delete=models.CASCADE)

    class Meta:
        verbose_name = "民主测评投票登记"
        verbose_name_plural = "民主测评投票登记"
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "voter"], name="ballot_one_per_voter")
        ]

    def __str__(self):
        return f"{self.voter_id}@{self.appraisal_id}"


class BallotTally(models.Model):
    """The online ballot's counter of (round, member rated, rating); created at zero when the
    round opens, moved only by whole ballots."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="民主评议", on_delete=models.CASCADE, related_name="tallies"
    )
    member = models.ForeignKey(Member, verbose_name="被评议党员", on_delete=models.CASCADE)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    count = models.PositiveIntegerField("票数", default=0)

    class Meta:
        verbose_name = "民主测评计票"
        verbose_name_plural = "民主测评计票"
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "member", "rating"], name="ballot_tally_once"
            )
        ]

    def __str__(self):
        return f"{self.member_id} {self.rating}: {self.count}"


class PaperTally(models.Model):
    """Paper ballots of a round as the branch counted them: totals per member and rating,
    entered by staff (a new entry replaces the old)."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name="民主评议", on_delete=models.CASCADE, related_name="paper_tallies"
    )
    member = models.ForeignKey(Member, verbose_name="被评议党员", on_delete=models.CASCADE)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    count = models.PositiveIntegerField("票数", default=0)

    class Meta:
        verbose_name = "纸质测评计票"
        verbose_name_plural = "纸质测评计票"
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "member", "rating"], name="paper_tally_once"
            )
        ]

    def __str__(self):
        return f"{self.member_id} {self.rating}: {self.count}"
