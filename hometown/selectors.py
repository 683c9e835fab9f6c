"""Reads of hometown ties, scoped through hometown.permissions; figures counted with the same
rules as the lists they drill down to."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from members.models import Member

from . import permissions
from .models import Campaign, Contribution, SupportCase, SupportGroupMembership

# Support cases --------------------------------------------------------------------------------

CASE_FILTERS = {
    "open": Q(status__in=SupportCase.OPEN_STATUSES),
    "requested": Q(status=SupportCase.Status.REQUESTED),
    "closed": Q(status=SupportCase.Status.CLOSED),
}


def stale_before(now=None):
    return (now or timezone.now()) - timedelta(days=settings.SUPPORT_CASE_STALE_DAYS)


def case_filter_q(which: str, now=None) -> Q | None:
    """The rule behind each list filter and figure ("stale": open without a step for
    SUPPORT_CASE_STALE_DAYS)."""
    if which == "stale":
        return CASE_FILTERS["open"] & Q(last_step_at__lt=stale_before(now))
    return CASE_FILTERS.get(which, Q() if which in ("", "all") else None)


def support_case_list(*, user, which: str = "open") -> QuerySet:
    condition = case_filter_q(which)
    qs = permissions.filter_support_cases_visible_to(user).select_related(
        "member", "member__organization"
    )
    return qs.filter(condition) if condition is not None else qs.none()


def my_support_cases(*, member: Member) -> QuerySet:
    return SupportCase.objects.filter(member=member).order_by("-id")


def support_case_get(*, user, pk) -> SupportCase:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    case = (
        permissions.filter_support_cases_visible_to(user)
        .select_related("member", "member__organization", "opened_by")
        .prefetch_related("steps__actor")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def support_case_figures(*, user, now=None) -> dict:
    """Open cases, of them stale, and their average days open (whole days)."""
    now = now or timezone.now()
    qs = permissions.filter_support_cases_visible_to(user).filter(case_filter_q("open"))
    rows = list(qs.values_list("created_at", "last_step_at"))
    cutoff = stale_before(now)
    days = [(now - created).days for created, _ in rows]
    return {
        "open": len(rows),
        "stale": sum(1 for _, step in rows if step < cutoff),
        "average_days_open": round(sum(days) / len(days)) if days else 0,
        "longest_days_open": max(days, default=0),
    }


def stale_support_cases(*, now=None) -> QuerySet:
    """Open cases without a step for SUPPORT_CASE_STALE_DAYS, not reminded since their last
    step or for another SUPPORT_CASE_STALE_DAYS (the beat task; no user)."""
    cutoff = stale_before(now)
    return (
        SupportCase.objects.filter(case_filter_q("stale", now))
        .filter(
            Q(reminded_at__isnull=True)
            | Q(reminded_at__lt=F("last_step_at"))
            | Q(reminded_at__lt=cutoff)
        )
        .select_related("member", "member__organization")
        .order_by("id")
    )


# Support group and contributions ------------------------------------------------------------


def my_membership(*, member: Member) -> SupportGroupMembership | None:
    return SupportGroupMembership.objects.filter(member=member).first()


def my_contributions(*, member: Member) -> QuerySet:
    return Contribution.objects.filter(member=member).select_related("campaign").order_by("-id")


def membership_list(*, user, offer: str = "") -> QuerySet:
    qs = (
        permissions.filter_memberships_visible_to(user)
        .filter(left_at__isnull=True)
        .select_related("member", "member__organization")
    )
    if offer:
        qs = qs.filter(offers__contains=[offer])
    return qs


CONTRIBUTION_FILTERS = {
    "recorded": Q(status=Contribution.Status.RECORDED),
    "confirmed": Q(status=Contribution.Status.CONFIRMED),
    "declined": Q(status=Contribution.Status.DECLINED),
}


def contribution_list(*, user, status: str = "", kind: str = "", year: int | None = None):
    qs = permissions.filter_contributions_visible_to(user).select_related(
        "member", "member__organization", "campaign"
    )
    if status:
        condition = CONTRIBUTION_FILTERS.get(status)
        qs = qs.filter(condition) if condition is not None else qs.none()
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(happened_on__year=year)
    return qs


def contribution_get(*, user, pk) -> Contribution:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    row = contribution_list(user=user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def support_group_figures(*, user) -> dict:
    """后援团 members, confirmed contributions and their amounts by kind, in the user's
    scope: the same rules as membership_list() and contribution_list(status="confirmed")."""
    members = membership_list(user=user).count()
    confirmed = contribution_list(user=user, status="confirmed").order_by()
    by_kind = {
        kind: (n, amount or 0, jobs or 0)
        for kind, n, amount, jobs in confirmed.values_list("kind")
        .annotate(n=Count("pk"), amount=Sum("amount"), jobs=Sum("jobs"))
        .values_list("kind", "n", "amount", "jobs")
    }
    labels = dict(Contribution.Kind.choices)
    return {
        "members": members,
        "confirmed": sum(n for n, _, _ in by_kind.values()),
        "pending": contribution_list(user=user, status="recorded").count(),
        "kinds": [
            {
                "key": key,
                "label": labels[key],
                "count": by_kind.get(key, (0, 0, 0))[0],
                "amount": by_kind.get(key, (0, 0, 0))[1],
                "jobs": by_kind.get(key, (0, 0, 0))[2],
            }
            for key in Contribution.Kind.values
        ],
    }


# Campaigns and 回馈标兵 ---------------------------------------------------------------------


def campaign_list(*, user) -> QuerySet:
    return permissions.filter_campaigns_visible_to(user)


def campaign_current(*, user) -> Campaign | None:
    return campaign_list(user=user).filter(year__lte=timezone.localdate().year).first()


def campaign_get(*, user, year) -> Campaign:
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not 1900 <= year <= 9999:
        raise Http404
    campaign = campaign_list(user=user).filter(year=year).first()
    if campaign is None:
        raise Http404
    return campaign


def pacesetter_candidates(*, user, campaign: Campaign) -> list[dict]:
    """Members with confirmed contributions in the campaign's year, most given first, with
    whether they consented to publicity and whether they were named already."""
    rows = (
        contribution_list(user=user, status="confirmed", year=campaign.year)
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"), amount=Sum("amount"), jobs=Sum("jobs"))
    )
    totals = {row["member_id"]: row for row in rows}
    members = Member.objects.filter(pk__in=totals).select_related("organization")
    consent = dict(
        SupportGroupMembership.objects.filter(
            member_id__in=totals, left_at__isnull=True
        ).values_list("member_id", "publicity_consent")
    )
    named = set(campaign.pacesetters.values_list("member_id", flat=True))
    kinds: Counter = Counter()
    for member_id, kind in (
        contribution_list(user=user, status="confirmed", year=campaign.year)
        .order_by()
        .values_list("member_id", "kind")
    ):
        kinds[(member_id, kind)] += 1
    labels = dict(Contribution.Kind.choices)
    result = [
        {
            "member": member,
            "contributions": totals[member.pk]["n"],
            "amount": totals[member.pk]["amount"] or 0,
            "jobs": totals[member.pk]["jobs"] or 0,
            "kinds": [labels[k] for (m, k) in kinds if m == member.pk],
            "consent": consent.get(member.pk, False),
            "named": member.pk in named,
        }
        for member in members
    ]
    result.sort(key=lambda row: (-row["amount"], -row["jobs"], -row["contributions"]))
    return result


def pacesetter_list(*, user, campaign: Campaign) -> QuerySet:
    return permissions.filter_pacesetters_visible_to(
        user, campaign.pacesetters.select_related("member")
    )
