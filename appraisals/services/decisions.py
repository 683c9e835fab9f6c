"""After the ballot: the branch's paper tally, the final rating of each member (组织评定),
and the higher committee's approval of an `unqualified` rating."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from members.models import Member
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.inputs import parse_int

from .. import permissions, selectors
from ..models import Appraisal, AppraisalParticipant, PaperTally, Rating
from .common import clean_count, clean_text, locked, notify_staff, notify_users, record

D = AppraisalParticipant.Decision
RATING_LABELS = dict(Rating.choices)
DECISION_FIELDS = ["final_rating", "decision", "approved_by", "approved_at", "approval_note"]


def _check_after_ballot(row: Appraisal) -> None:
    if row.finished_at is not None:
        raise StateConflict("本轮民主评议已经完成。", code="appraisal_finished")
    if not permissions.ballot_closed(row):
        raise StateConflict(
            "民主测评结束后才能办理此事项（计票结果在测评结束前不公开）。", code="ballot_open"
        )


def paper_tally_record(
    *, actor, appraisal: Appraisal, paper_ballots, counts, ip: str | None = None
) -> None:
    """The branch's paper ballots (members without an account) as totals: how many ballots
    were cast, and per member and rating how many chose it. Replaces an earlier entry."""
    permissions.check_appraisal_staff(actor)
    permissions.check_manage_appraisal_permission(actor, appraisal)
    with transaction.atomic():
        row = locked(appraisal)
        _check_after_ballot(row)
        members = set(row.participants.values_list("member_id", flat=True))
        voters = Member.objects.filter(appraisals__appraisal=row, party_standing="full").count()
        online = selectors.voted_count(row)
        ballots = clean_count(
            paper_ballots, field="paper_ballots", label="纸质票数", maximum=max(0, voters - online)
        )
        values = _clean_counts(counts, members=members, ballots=ballots)
        PaperTally.objects.filter(appraisal=row).delete()
        PaperTally.objects.bulk_create(
            [
                PaperTally(appraisal=row, member_id=member_id, rating=rating, count=count)
                for (member_id, rating), count in values.items()
                if count
            ]
        )
        row.paper_ballots = ballots
        row.save(update_fields=["paper_ballots"])
        record(actor, "paper_tally", row, ip=ip, detail={"ballots": ballots})


def _clean_counts(raw, *, members: set[int], ballots: int) -> dict[tuple[int, str], int]:
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list | tuple):
        raise ServiceError("计票格式不正确。", field="counts")
    values: dict[tuple[int, str], int] = {}
    per_member: dict[int, int] = {}
    for item in raw:
        if not isinstance(item, dict):
            raise ServiceError("计票格式不正确。", field="counts")
        member_id = parse_int(item.get("member"))
        rating = item.get("rating")
        if member_id is None or member_id not in members:
            raise ServiceError("计票中有不属于本次民主评议的党员。", field="counts")
        if rating not in Rating.values:
            raise ServiceError("评价只能是优秀、合格、基本合格或不合格。", field="counts")
        if (member_id, rating) in values:
            raise ServiceError("同一名党员的同一评价只能填写一次。", field="counts")
        count = clean_count(item.get("count"), field="counts", label="票数", maximum=ballots)
        values[(member_id, rating)] = count
        per_member[member_id] = per_member.get(member_id, 0) + count
    if any(total > ballots for total in per_member.values()):
        raise ServiceError("某位党员的各项票数之和超过了纸质票数。", field="counts")
    return values


def rating_record(
    *, actor, appraisal: Appraisal, member, final_rating, reason, ip: str | None = None
) -> AppraisalParticipant:
    """The branch's final rating of one participant with its reason. `unqualified` waits
    for the higher committee's approval; any other rating is in force at once and the
    member is told. 400 for a member outside the round or a bad rating; 409 before the
    ballot closes, after the round is finished or while an approval is pending."""
    permissions.check_appraisal_staff(actor)
    permissions.check_manage_appraisal_permission(actor, appraisal)
    if final_rating not in Rating.values:
        raise ServiceError("请选择组织评定：优秀、合格、基本合格或不合格。", field="final_rating")
    reason = clean_text(reason, field="reason", label="评定理由", max_length=500)
    with transaction.atomic():
        row = locked(appraisal)
        _check_after_ballot(row)
        participant = _participant(row, member)
        if participant.decision == D.PENDING_APPROVAL:
            raise StateConflict(
                "该党员的“不合格”评定正在等待上级党委审批。", code="approval_pending"
            )
        participant.final_rating = final_rating
        participant.final_reason = reason
        participant.rated_by = actor
        participant.rated_at = timezone.now()
        participant.approved_by, participant.approved_at, participant.approval_note = None, None, ""
        unqualified = final_rating == Rating.UNQUALIFIED
        participant.decision = D.PENDING_APPROVAL if unqualified else D.EFFECTIVE
        participant.save(update_fields=[*DECISION_FIELDS, "final_reason", "rated_by", "rated_at"])
        record(
            actor,
            "rating_record",
            row,
            ip=ip,
            detail={"member": participant.member_id, "rating": final_rating},
        )
        if unqualified:
            parent = row.organization.parent
            if parent is not None:
                notify_staff(
                    parent,
                    appraisal=row,
                    title=f"待审批：{row.organization.name}评定{participant.member.name}为不合格",
                    body=f"理由：{reason}",
                    actor=actor,
                )
        else:
            _tell_member(participant, actor)
    return participant


def _participant(appraisal: Appraisal, member) -> AppraisalParticipant:
    member_id = member.pk if isinstance(member, Member) else parse_int(member)
    participant = (
        AppraisalParticipant.objects.select_for_update(of=("self",))
        .select_related("member", "member__user")
        .filter(appraisal=appraisal, member_id=member_id)
        .first()
        if member_id is not None
        else None
    )
    if participant is None:
        raise ServiceError("该党员不是本次民主评议的参评党员。", field="member")
    return participant


def _tell_member(participant: AppraisalParticipant, actor) -> None:
    user = participant.member.user if participant.member.user_id else None
    appraisal = participant.appraisal
    notify_users(
        [user],
        appraisal=appraisal,
        title=f"您的{appraisal.year}年度民主评议结果：{RATING_LABELS[participant.final_rating]}",
        body=f"评定理由：{participant.final_reason}",
        actor=actor,
    )


def _decide(*, actor, appraisal, member, note, approve: bool, ip) -> AppraisalParticipant:
    permissions.check_appraisal_staff(actor)
    permissions.check_manage_appraisal_permission(actor, appraisal)
    note = clean_text(note, field="note", label="审批意见", max_length=300, required=not approve)
    with transaction.atomic():
        row = locked(appraisal)
        if row.finished_at is not None:
            raise StateConflict("本轮民主评议已经完成。", code="appraisal_finished")
        participant = _participant(row, member)
        if participant.decision != D.PENDING_APPROVAL:
            raise StateConflict("该党员没有待审批的“不合格”评定。", code="no_pending_approval")
        if not permissions.can_approve_rating(actor, row, participant.rated_by_id):
            raise PermissionDenied("“不合格”评定须由上级党委审批（评定人本人不能审批）。")
        participant.approved_by = actor
        participant.approved_at = timezone.now()
        participant.approval_note = note
        if approve:
            participant.decision = D.EFFECTIVE
        else:
            participant.decision = D.NONE
            participant.final_rating = ""
        participant.save(update_fields=DECISION_FIELDS)
        record(
            actor,
            "rating_approve" if approve else "rating_reject",
            row,
            ip=ip,
            detail={"member": participant.member_id, "rating": "unqualified"},
        )
        if approve:
            _tell_member(participant, actor)
        else:
            notify_staff(
                row.organization,
                appraisal=row,
                title=f"上级党委未同意将{participant.member.name}评定为不合格，请重新评定",
                body=f"审批意见：{note}",
                actor=actor,
            )
    return participant


def rating_approve(*, actor, appraisal, member, note="", ip=None) -> AppraisalParticipant:
    return _decide(actor=actor, appraisal=appraisal, member=member, note=note, approve=True, ip=ip)


def rating_reject(*, actor, appraisal, member, note="", ip=None) -> AppraisalParticipant:
    return _decide(actor=actor, appraisal=appraisal, member=member, note=note, approve=False, ip=ip)
