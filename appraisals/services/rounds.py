"""Opening a round, closing its ballot early, finishing it, and the reminders before each
stage closes."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from members.models import Member, Organization
from members.permissions import path_ids
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions, selectors
from ..models import Appraisal, AppraisalParticipant, BallotRegister, BallotTally, Rating
from ..models import SelfAssessment as Assessment
from .common import clean_date, locked, notify_staff, notify_users, record

# Members whose membership has left the county take no part.
LEFT_STATUSES = ("transferred_out",)
# Reminders go out this many days before a stage's last day (and on it).
REMINDER_DAYS = 2


def _clean_year(value) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError("评议年度应为四位年份，如 2026。", field="year") from exc
    this_year = timezone.localdate().year
    if not this_year - 1 <= year <= this_year:
        raise ServiceError(f"评议年度只能是{this_year - 1}年或{this_year}年。", field="year")
    return year


def _check_organization(organization) -> Organization:
    if not isinstance(organization, Organization):
        raise ServiceError("请选择党支部或党总支。", field="organization")
    if organization.kind not in Appraisal.ORGANIZATION_KINDS:
        raise ServiceError(
            "民主评议党员以党支部、党总支为单位组织（临时党支部、流入地党组织和党委不发起）。",
            field="organization",
        )
    if organization.dissolved_at is not None:
        raise ServiceError("该党组织已撤销。", field="organization")
    return organization


def _check_dates(dates: dict) -> dict:
    labels = {
        "self_assessment_ends_on": "自我评价截止日期",
        "ballot_starts_on": "民主测评开始日期",
        "ballot_ends_on": "民主测评截止日期",
        "decision_ends_on": "组织评定截止日期",
    }
    days = {
        key: clean_date(dates.get(key), field=key, label=label) for key, label in labels.items()
    }
    today = timezone.localdate()
    if days["ballot_ends_on"] < today:
        raise ServiceError("民主测评截止日期不能早于今天。", field="ballot_ends_on")
    if days["ballot_starts_on"] > days["ballot_ends_on"]:
        raise ServiceError("民主测评开始日期不能晚于截止日期。", field="ballot_starts_on")
    if days["self_assessment_ends_on"] > days["ballot_ends_on"]:
        raise ServiceError(
            "自我评价截止日期不能晚于民主测评截止日期。", field="self_assessment_ends_on"
        )
    if days["self_assessment_ends_on"] < today:
        raise ServiceError("自我评价截止日期不能早于今天。", field="self_assessment_ends_on")
    if days["decision_ends_on"] < days["ballot_ends_on"]:
        raise ServiceError("组织评定截止日期不能早于民主测评截止日期。", field="decision_ends_on")
    if days["decision_ends_on"] > days["ballot_starts_on"] + timedelta(days=366):
        raise ServiceError("一轮民主评议不能超过一年。", field="decision_ends_on")
    return days


def _check_no_overlap(organization: Organization, year: int) -> None:
    """One round a year per member: none for this organisation, above or below it."""
    overlapping = Appraisal.objects.filter(year=year).filter(
        Q(organization_id__in=path_ids(organization.path))
        | Q(organization__path__startswith=organization.path)
    )
    existing = overlapping.select_related("organization").first()
    if existing is not None:
        raise StateConflict(
            f"{existing.organization.name}已发起{year}年度民主评议党员，同一党员每年只参加一次。",
            code="appraisal_exists",
        )


def appraisal_open(
    *,
    actor,
    organization,
    year,
    self_assessment_ends_on,
    ballot_starts_on,
    ballot_ends_on,
    decision_ends_on,
    ip: str | None = None,
) -> Appraisal:
    """County or committee staff open a round for a branch or general branch in their scope:
    every member of its subtree takes part; the ballot's counters start at zero; members
    with an account are told. 404 outside the scope, 400 for bad input, 409 when the
    organisation (or one above or below it) already has a round that year."""
    permissions.check_appraisal_staff(actor)
    organization = _check_organization(organization)
    if not permissions.can_open_appraisal(actor, organization):
        raise ServiceError("所选党组织不在您的管理范围内。", field="organization")
    year = _clean_year(year)
    days = _check_dates(
        {
            "self_assessment_ends_on": self_assessment_ends_on,
            "ballot_starts_on": ballot_starts_on,
            "ballot_ends_on": ballot_ends_on,
            "decision_ends_on": decision_ends_on,
        }
    )
    members = list(
        Member.objects.filter(organization__path__startswith=organization.path)
        .exclude(status__in=LEFT_STATUSES)
        .select_related("user")
        .only("pk", "name", "user")
    )
    if not members:
        raise ServiceError("该党组织还没有党员，无法发起民主评议。", field="organization")
    try:
        with transaction.atomic():
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            _check_no_overlap(organization, year)
            appraisal = Appraisal.objects.create(
                organization=organization, year=year, opened_by=actor, **days
            )
            AppraisalParticipant.objects.bulk_create(
                [AppraisalParticipant(appraisal=appraisal, member=member) for member in members]
            )
            BallotTally.objects.bulk_create(
                [
                    BallotTally(appraisal=appraisal, member=member, rating=rating)
                    for member in members
                    for rating in Rating.values
                ]
            )
            record(
                actor,
                "open",
                appraisal,
                ip=ip,
                detail={"organization": organization.pk, "members": len(members)},
            )
            notify_users(
                [member.user for member in members if member.user_id],
                appraisal=appraisal,
                title=f"{year}年度民主评议党员开始了",
                body=(
                    f"请在{days['self_assessment_ends_on']:%Y年%m月%d日}前填写自我评价；"
                    f"民主测评时间：{days['ballot_starts_on']:%m月%d日}至"
                    f"{days['ballot_ends_on']:%m月%d日}。"
                ),
                actor=actor,
            )
    except IntegrityError as exc:  # a concurrent opening of the same round
        raise StateConflict(
            f"{organization.name}已发起{year}年度民主评议党员。", code="appraisal_exists"
        ) from exc
    return appraisal


def ballot_close(*, actor, appraisal: Appraisal, ip: str | None = None) -> Appraisal:
    """Staff close the ballot before its last day (everybody has voted); tallies can then
    be read. 409 when it has not started or is closed already."""
    permissions.check_appraisal_staff(actor)
    permissions.check_manage_appraisal_permission(actor, appraisal)
    with transaction.atomic():
        row = locked(appraisal)
        today = timezone.localdate()
        if row.finished_at is not None or permissions.ballot_closed(row, today):
            raise StateConflict("民主测评已经结束。", code="ballot_closed")
        if today < row.ballot_starts_on:
            raise StateConflict("民主测评还没有开始，不能结束。", code="ballot_not_started")
        row.ballot_closed_at = timezone.now()
        row.save(update_fields=["ballot_closed_at"])
        record(actor, "ballot_close", row, ip=ip, detail={"voted": selectors.voted_count(row)})
    return row


def appraisal_finish(*, actor, appraisal: Appraisal, ip: str | None = None) -> Appraisal:
    """Staff finish the round once every participant's rating is in force."""
    permissions.check_appraisal_staff(actor)
    permissions.check_manage_appraisal_permission(actor, appraisal)
    with transaction.atomic():
        row = locked(appraisal)
        if row.finished_at is not None:
            raise StateConflict("本轮民主评议已经完成。", code="appraisal_finished")
        if not permissions.ballot_closed(row):
            raise StateConflict("民主测评还没有结束。", code="ballot_open")
        waiting = row.participants.exclude(decision=AppraisalParticipant.Decision.EFFECTIVE).count()
        if waiting:
            raise StateConflict(
                f"还有{waiting}名党员的组织评定未生效（待评定或待上级党委审批）。",
                code="decisions_missing",
            )
        row.finished_at = timezone.now()
        row.save(update_fields=["finished_at"])
        record(actor, "finish", row, ip=ip)
    return row


# Reminders ---------------------------------------------------------------------------------


def reminders_send(*, today=None) -> int:
    """Before each stage's last day (REMINDER_DAYS ahead): participants without a
    self-assessment, full members who have not voted, and the branch's staff for the
    decisions. Once per round and stage (dedupe keys); returns the notices sent this run."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=REMINDER_DAYS)
    sent = 0
    rounds = Appraisal.objects.filter(finished_at=None).select_related("organization")
    for appraisal in rounds.filter(self_assessment_ends_on__range=(today, horizon)):
        written = Assessment.objects.filter(appraisal=appraisal).values("member_id")
        users = _users(appraisal, exclude=written)
        sent += _remind(
            users,
            appraisal,
            "self-assessment",
            f"请在{appraisal.self_assessment_ends_on:%m月%d日}前填写民主评议自我评价",
        )
    for appraisal in rounds.filter(
        ballot_closed_at=None, ballot_ends_on__range=(today, horizon), ballot_starts_on__lte=today
    ):
        have_voted = BallotRegister.objects.filter(appraisal=appraisal).values("voter_id")
        users = _users(appraisal, exclude=have_voted, voters_only=True)
        sent += _remind(
            users,
            appraisal,
            "ballot",
            f"民主测评将于{appraisal.ballot_ends_on:%m月%d日}结束，请及时投票",
        )
    for appraisal in rounds.filter(decision_ends_on__range=(today, horizon)):
        with transaction.atomic():
            notice = notify_staff(
                appraisal.organization,
                appraisal=appraisal,
                title=f"{appraisal.organization.name}民主评议组织评定将于"
                f"{appraisal.decision_ends_on:%m月%d日}截止",
                dedupe_key=f"appraisal-reminder:{appraisal.pk}:decision",
            )
        sent += notice is not None
    return sent


def _users(appraisal, *, exclude, voters_only=False) -> list:
    qs = (
        Member.objects.filter(appraisals__appraisal=appraisal, user__isnull=False)
        .exclude(pk__in=exclude)
        .select_related("user")
        .only("pk", "user")
    )
    if voters_only:
        qs = qs.filter(party_standing="full")
    return [member.user for member in qs]


def _remind(users, appraisal, stage: str, title: str) -> int:
    if not users:
        return 0
    with transaction.atomic():
        notice = notify_users(
            users,
            appraisal=appraisal,
            title=title,
            dedupe_key=f"appraisal-reminder:{appraisal.pk}:{stage}",
        )
    return int(notice is not None)
