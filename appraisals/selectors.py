"""Reads of appraisals, always through appraisals.permissions. Tallies are read only by
`tallies_for` after `permissions.can_read_tallies` (the services and views ask it first)."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from members.models import Member
from sanyuan.inputs import parse_int

from . import permissions
from .models import (
    Appraisal,
    AppraisalParticipant,
    BallotRegister,
    BallotTally,
    PaperTally,
    Rating,
    SelfAssessment,
)

D = AppraisalParticipant.Decision


def _pk(value) -> int:
    pk = parse_int(value)
    if pk is None:
        raise Http404
    return pk


def _counted(qs: QuerySet) -> QuerySet:
    """Rounds with their organisation and the figures lists show (one query)."""
    return qs.select_related("organization").annotate(
        participant_count=Count("participants", distinct=True),
        assessment_count=Count("assessments", distinct=True),
        pending_count=Count(
            "participants",
            filter=Q(participants__decision=D.PENDING_APPROVAL),
            distinct=True,
        ),
        decided_count=Count(
            "participants", filter=Q(participants__decision=D.EFFECTIVE), distinct=True
        ),
    )


def appraisal_list(*, user, state: str | None = None) -> QuerySet:
    qs = _counted(permissions.filter_appraisals_visible_to(user))
    if state == "open":
        qs = qs.filter(finished_at=None)
    elif state == "finished":
        qs = qs.exclude(finished_at=None)
    return qs.order_by("-year", "-id")


def appraisal_get(*, user, pk) -> Appraisal:
    """A round the user may see (404 otherwise)."""
    appraisal = (
        permissions.filter_appraisals_visible_to(user)
        .select_related("organization")
        .filter(pk=_pk(pk))
        .first()
    )
    if appraisal is None:
        raise Http404
    return appraisal


def voted_count(appraisal: Appraisal) -> int:
    """How many have voted online (a number; who voted is the register's, never shown)."""
    return BallotRegister.objects.filter(appraisal=appraisal).count()


def participant_rows(appraisal: Appraisal) -> list[AppraisalParticipant]:
    """The round's participants with their member (no encrypted column) and self-assessment
    (two queries)."""
    rows = list(
        AppraisalParticipant.objects.filter(appraisal=appraisal)
        .select_related("member", "member__user", "rated_by", "approved_by")
        .defer(*(f"member__{field}" for field in Member.ENCRYPTED_FIELDS))
        .order_by("member__name", "member_id")
    )
    texts = {
        row.member_id: row
        for row in SelfAssessment.objects.filter(appraisal=appraisal).only(
            "member_id", "text", "submitted_at", "updated_at"
        )
    }
    for row in rows:
        row.assessment = texts.get(row.member_id)
    return rows


def participant_get(appraisal: Appraisal, member_pk) -> AppraisalParticipant | None:
    pk = parse_int(member_pk)
    if pk is None:
        return None
    return (
        AppraisalParticipant.objects.select_related("member", "member__user", "appraisal")
        .defer(*(f"member__{field}" for field in Member.ENCRYPTED_FIELDS))
        .filter(appraisal=appraisal, member_id=pk)
        .first()
    )


def tallies_for(appraisal: Appraisal) -> dict[int, dict[str, dict[str, int]]]:
    """member id → rating → {"online", "paper", "total"} (two queries). Callers have asked
    permissions.can_read_tallies."""
    result: dict[int, dict[str, dict[str, int]]] = {}

    def cell(member_id, rating):
        ratings = result.setdefault(
            member_id, {r: {"online": 0, "paper": 0, "total": 0} for r in Rating.values}
        )
        return ratings[rating]

    for member_id, rating, count in BallotTally.objects.filter(appraisal=appraisal).values_list(
        "member_id", "rating", "count"
    ):
        cell(member_id, rating)["online"] += count
        cell(member_id, rating)["total"] += count
    for member_id, rating, count in PaperTally.objects.filter(appraisal=appraisal).values_list(
        "member_id", "rating", "count"
    ):
        cell(member_id, rating)["paper"] += count
        cell(member_id, rating)["total"] += count
    return result


def paper_counts(appraisal: Appraisal) -> dict[tuple[int, str], int]:
    return {
        (member_id, rating): count
        for member_id, rating, count in PaperTally.objects.filter(appraisal=appraisal).values_list(
            "member_id", "rating", "count"
        )
    }


# The member's own ---------------------------------------------------------------------------


def my_appraisals(*, member: Member) -> list[Appraisal]:
    """Rounds the member takes part in, each with `me` (their participant row), `my_text`
    (their self-assessment or "") and `has_voted` (three queries)."""
    voted = BallotRegister.objects.filter(appraisal=OuterRef("pk"), voter_id=member.pk)
    rounds = list(
        Appraisal.objects.filter(participants__member_id=member.pk)
        .select_related("organization")
        .annotate(has_voted=Exists(voted))
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=AppraisalParticipant.objects.filter(member_id=member.pk),
                to_attr="mine",
            ),
            Prefetch(
                "assessments",
                queryset=SelfAssessment.objects.filter(member_id=member.pk),
                to_attr="my_assessments",
            ),
        )
        .order_by("-year", "-id")
    )
    for appraisal in rounds:
        appraisal.me = appraisal.mine[0]
        appraisal.my_text = appraisal.my_assessments[0].text if appraisal.my_assessments else ""
    return rounds


def my_appraisal_get(*, member: Member, pk) -> Appraisal:
    pk = _pk(pk)
    for appraisal in my_appraisals(member=member):
        if appraisal.pk == pk:
            return appraisal
    raise Http404


def ballot_candidates(appraisal: Appraisal, *, voter: Member) -> list[Member]:
    """Everyone the voter rates: the other participants, by name."""
    return list(
        Member.objects.filter(appraisals__appraisal=appraisal)
        .exclude(pk=voter.pk)
        .only("pk", "name", "party_standing")
        .order_by("name", "pk")
    )


# Figures (工作台) ---------------------------------------------------------------------------


def figures(*, user, today=None) -> dict[str, int]:
    """Rounds in progress in the user's scope, those past their ballot awaiting decisions,
    and unqualified ratings this user may approve (two queries)."""
    today = today or timezone.localdate()
    rounds = permissions.filter_appraisals_visible_to(user).filter(finished_at=None)
    counts = rounds.aggregate(
        in_progress=Count("pk"),
        to_decide=Count(
            "pk",
            filter=Q(ballot_closed_at__isnull=False) | Q(ballot_ends_on__lt=today),
        ),
    )
    counts["to_approve"] = (
        AppraisalParticipant.objects.filter(
            permissions.approvable_q(user),
            decision=D.PENDING_APPROVAL,
            appraisal__finished_at=None,
        )
        .exclude(rated_by=user)
        .count()
    )
    return counts
