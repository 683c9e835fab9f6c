"""The member's part: the self-assessment (自我评价) and the secret ballot (民主测评).

A ballot leaves exactly this behind: one (round, voter) row in BallotRegister and +1 on one
BallotTally counter per member rated — in one transaction, without a timestamp, a history
row, an audit event or a notice (models.py says why every counter and register row of the
round is touched as well)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.http import Http404
from django.utils import timezone

from members.models import Member
from sanyuan.errors import FieldErrors, ServiceError, StateConflict
from sanyuan.inputs import parse_int

from .. import permissions
from ..models import Appraisal, AppraisalParticipant, BallotRegister, BallotTally, Rating
from ..models import SelfAssessment as Assessment
from .common import clean_text, locked


def _own_member(actor, appraisal: Appraisal) -> Member:
    """The member behind the account, taking part in this round (404 otherwise)."""
    member = permissions.member_of(actor)
    if member is None:
        raise PermissionDenied("仅限流动党员本人使用。")
    if not AppraisalParticipant.objects.filter(appraisal=appraisal, member_id=member.pk).exists():
        raise Http404
    return member


def self_assessment_save(*, actor, appraisal: Appraisal, text) -> Assessment:
    """The member writes (or rewrites) their self-assessment while self-assessment is open.
    400 for empty or overlong text, 409 after the deadline."""
    member = _own_member(actor, appraisal)
    text = clean_text(text, field="text", label="自我评价", max_length=Assessment.MAX_LENGTH)
    if len(text) < 10:
        raise ServiceError("自我评价至少写10个字。", field="text")
    with transaction.atomic():
        row = locked(appraisal)
        if not permissions.self_assessment_open(row):
            raise StateConflict(
                f"自我评价已于{row.self_assessment_ends_on:%Y年%m月%d日}截止。",
                code="self_assessment_closed",
            )
        assessment, created = Assessment.objects.get_or_create(
            appraisal=row, member=member, defaults={"text": text}
        )
        if not created and assessment.text != text:
            assessment.text = text
            assessment.save(update_fields=["text", "updated_at"])
    return assessment


def _clean_ratings(raw, *, candidates: set[int]) -> dict[int, str]:
    """{member id: rating} for every other participant, each exactly once."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ServiceError("请对本支部其他每一位党员作出评价。", field="ratings")
    ratings: dict[int, str] = {}
    for item in raw:
        if not isinstance(item, dict):
            raise ServiceError("评价格式不正确。", field="ratings")
        member_id = parse_int(item.get("member"))
        rating = item.get("rating")
        if member_id is None or member_id not in candidates:
            raise ServiceError(
                "所评价的党员不是本次民主评议的参评党员（不能评价本人）。", field="ratings"
            )
        if rating not in Rating.values:
            raise ServiceError("评价只能是优秀、合格、基本合格或不合格。", field="ratings")
        if member_id in ratings:
            raise ServiceError("同一名党员只能评价一次。", field="ratings")
        ratings[member_id] = rating
    missing = len(candidates) - len(ratings)
    if missing:
        raise FieldErrors({"ratings": [f"还有{missing}名党员没有评价，请逐一评价后再提交。"]})
    return ratings


def ballot_cast(*, actor, appraisal: Appraisal, ratings) -> None:
    """One secret ballot: the voter rates every other participant at once. 409 when the
    ballot is not open or the member has voted already; 400 for a probationary member, a
    rating of someone outside the round, a missing rating or a bad value. Nothing about the
    ballot is returned, logged or timestamped."""
    voter = _own_member(actor, appraisal)
    with transaction.atomic():
        row = locked(appraisal)
        if not permissions.ballot_open(row):
            raise StateConflict(_ballot_state_message(row), code="ballot_not_open")
        if not permissions.may_vote(voter):
            raise ServiceError(
                "预备党员参加民主评议、接受测评，但没有表决权，不参加民主测评投票。",
                code="probationary",
            )
        if BallotRegister.objects.filter(appraisal=row, voter_id=voter.pk).exists():
            raise StateConflict("您已经投过票了，每人只能投一次。", code="already_voted")
        candidates = set(
            AppraisalParticipant.objects.filter(appraisal=row)
            .exclude(member_id=voter.pk)
            .values_list("member_id", flat=True)
        )
        chosen = _clean_ratings(ratings, candidates=candidates)
        try:
            with transaction.atomic():
                BallotRegister.objects.create(appraisal=row, voter_id=voter.pk)
        except IntegrityError as exc:
            raise StateConflict("您已经投过票了，每人只能投一次。", code="already_voted") from exc
        picked = Q(pk__in=[])
        for member_id, rating in chosen.items():
            picked |= Q(member_id=member_id, rating=rating)
        # Every counter of the round is written (+1 where chosen, +0 elsewhere) and every
        # register row touched: all of the round's row versions then carry this transaction.
        BallotTally.objects.filter(appraisal=row).update(
            count=F("count") + Case(When(picked, then=Value(1)), default=Value(0))
        )
        BallotRegister.objects.filter(appraisal=row).update(voter_id=F("voter_id"))


def _ballot_state_message(appraisal: Appraisal) -> str:
    today = timezone.localdate()
    if appraisal.finished_at is None and today < appraisal.ballot_starts_on:
        return f"民主测评将于{appraisal.ballot_starts_on:%Y年%m月%d日}开始。"
    return "民主测评已经结束。"
