"""Reads of transfers, always through transfers.permissions."""

from datetime import date, datetime, time

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from members.models import Member, Organization
from members.permissions import filter_organizations_visible_to, path_ids
from sanyuan.inputs import parse_int

from . import permissions
from .models import IntroductionLetter, Transfer, TransferEvent

S = Transfer.Status

# 党员外出学习或工作6个月以上且地点相对固定的，应当转移组织关系: the rule candidates follow.
CANDIDATE_MONTHS = 6


def _pk(value) -> int:
    pk = parse_int(value)
    if pk is None:
        raise Http404
    return pk


def _rows(qs: QuerySet) -> QuerySet:
    """What lists and pages show, without decrypting anything of the member."""
    return qs.select_related("member", "from_organization", "to_organization").defer(
        *(f"member__{field}" for field in Member.ENCRYPTED_FIELDS)
    )


def letters_in_force() -> Prefetch:
    return Prefetch(
        "letters",
        queryset=IntroductionLetter.objects.filter(voided_at=None).order_by("-issued_at", "-id"),
        to_attr="letters_in_force",
    )


def transfer_list(
    *, user, status: str | None = None, kind: str | None = None, member: int | None = None
) -> QuerySet:
    qs = _rows(permissions.filter_transfers_visible_to(user)).prefetch_related(letters_in_force())
    if status in S.values:
        qs = qs.filter(status=status)
    elif status == "open":
        qs = qs.filter(status__in=Transfer.OPEN_STATUSES)
    elif status == "overdue":
        qs = qs.filter(overdue_q(timezone.localdate()))
    if kind in Transfer.Kind.values:
        qs = qs.filter(kind=kind)
    if member is not None:
        qs = qs.filter(member_id=member)
    return qs.order_by("-updated_at", "-id")


def transfer_get(*, user, pk) -> Transfer:
    """A transfer the user may see (404 otherwise), with its letters and steps."""
    transfer = (
        _rows(permissions.filter_transfers_visible_to(user))
        .prefetch_related(
            letters_in_force(),
            Prefetch(
                "letters",
                queryset=IntroductionLetter.objects.order_by("-issued_at", "-id"),
                to_attr="all_letters",
            ),
            Prefetch(
                "events",
                queryset=TransferEvent.objects.select_related("actor").order_by("id"),
                to_attr="event_list",
            ),
        )
        .filter(pk=_pk(pk))
        .first()
    )
    if transfer is None:
        raise Http404
    return transfer


def letter_in_force(transfer: Transfer) -> IntroductionLetter | None:
    rows = getattr(transfer, "letters_in_force", None)
    if rows is None:
        rows = list(transfer.letters.filter(voided_at=None).order_by("-issued_at", "-id")[:1])
    return rows[0] if rows else None


def receipt_overdue(transfer: Transfer, today: date | None = None) -> bool:
    """Out of the county: the letter's validity passed and no receipt is back."""
    if transfer.status == S.EXPIRED:
        return True
    if transfer.status != S.LETTER_ISSUED:
        return False
    letter = letter_in_force(transfer)
    return letter is not None and letter.expires_on < (today or timezone.localdate())


def overdue_q(today: date) -> Q:
    """The same rule as receipt_overdue, as a filter (the sweep may not have run yet)."""
    late_letters = IntroductionLetter.objects.filter(
        transfer_id=OuterRef("pk"), voided_at=None, expires_on__lt=today
    )
    return Q(status=S.EXPIRED) | (Q(status=S.LETTER_ISSUED) & Q(Exists(late_letters)))


# Organisations ----------------------------------------------------------------------------


def county_of(organization: Organization) -> Organization:
    """The county (县) an organisation belongs to; the root when the tree has no county."""
    ids = path_ids(organization.path)
    rows = {org.pk: org for org in Organization.objects.filter(pk__in=ids)}
    for org_id in reversed(ids):
        if rows[org_id].kind == Organization.Kind.COUNTY:
            return rows[org_id]
    return rows[ids[0]]


def full_name(organization: Organization, *, below: Organization | None = None) -> str:
    """The name as a letter prints it: the names from the county down, without repeating a
    name that already contains its parent's ("三原县城关街道党工委东关社区党支部")."""
    top = below or county_of(organization)
    ids = path_ids(organization.path)
    ids = ids[ids.index(top.pk) :] if top.pk in ids else ids
    names = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "name"))
    result = ""
    for org_id in ids:
        name = names[org_id]
        if name.startswith(result):
            result = name
        elif name not in result:
            result += name
    return result[:120]


def receipt_address(organization: Organization) -> str:
    """Where the 回执 of a letter for a member of `organization` goes back to: the member's
    基层党委 (the committee above the branch), else the county's organisation department."""
    ids = path_ids(organization.path)
    committee = (
        Organization.objects.filter(pk__in=ids, kind=Organization.Kind.COMMITTEE)
        .order_by("-depth")
        .first()
    )
    if committee is not None:
        return full_name(committee)
    return f"中共{county_of(organization).name}委组织部"[:120]


def destination_list(*, member: Member, q: str = "", limit: int = 200) -> QuerySet:
    """Branches of the member's county their membership may move to (their own excluded)."""
    county = county_of(member.organization)
    qs = (
        Organization.objects.filter(permissions.destinations_q(county))
        .exclude(pk=member.organization_id)
        .select_related("parent")
        .order_by("path")
    )
    q = (q or "").strip()[:30]
    if q:
        qs = qs.filter(name__contains=q)
    return qs[:limit]


def home_member_get(*, user, pk) -> Member:
    """A member the user keeps at home (staff starting a transfer), 404 otherwise."""
    member = (
        permissions.filter_home_members(user)
        .select_related("organization")
        .defer(*Member.ENCRYPTED_FIELDS)
        .filter(pk=_pk(pk))
        .first()
    )
    if member is None:
        raise Http404
    return member


def registrable_organizations(*, user, limit: int = 2000) -> list[Organization]:
    """Branches in the user's scope that may receive a member from outside the county."""
    if not permissions.takes_part(user):
        return []
    return list(
        filter_organizations_visible_to(user)
        .filter(kind__in=permissions.DESTINATION_KINDS, dissolved_at__isnull=True)
        .only("pk", "name", "path")
        .order_by("path")[:limit]
    )


# The member's own ---------------------------------------------------------------------------


def my_transfers(*, member: Member) -> QuerySet:
    return (
        Transfer.objects.filter(member_id=member.pk)
        .select_related("from_organization", "to_organization")
        .prefetch_related(letters_in_force())
        .order_by("-created_at", "-id")
    )


def open_transfer_of(member_id: int) -> Transfer | None:
    return Transfer.objects.filter(member_id=member_id, status__in=Transfer.OPEN_STATUSES).first()


# Candidates -------------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, last)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def candidate_cutoff(today: date | None = None) -> date:
    return months_before(today or timezone.localdate(), CANDIDATE_MONTHS)


def candidates_q(cutoff: date) -> Q:
    """Members away at one fixed place (the same destination city) since `cutoff` or earlier.

    From the archive's history (django-simple-history, one row per saved state; states
    without a destination city say "unknown", not "elsewhere", and are skipped):
    - no state recorded after the cutoff shows another destination city, and
    - the last state with a city recorded at or before the cutoff shows this city; or, when
      the archive has no such state that old (created later, e.g. by a roster import, or
      bulk loaded without history), the member left home (left_home_on) on or before the
      cutoff;
    - and a known departure date is on or before the cutoff as well.
    Members with an open transfer are not candidates (their transfer is under way). The
    query annotates `city_at_cutoff` (candidate_list)."""
    history = Member.history.model
    moment = timezone.make_aware(datetime.combine(cutoff, time.max))
    changed_since = (
        history.objects.filter(id=OuterRef("pk"), history_date__gt=moment)
        .exclude(destination_city="")
        .exclude(destination_city=OuterRef("destination_city"))
    )
    open_transfers = Transfer.objects.filter(
        member_id=OuterRef("pk"), status__in=Transfer.OPEN_STATUSES
    )
    return (
        Q(status="away")
        & ~Q(destination_city="")
        & ~Q(Exists(changed_since))
        & ~Q(Exists(open_transfers))
        & (Q(left_home_on__isnull=True) | Q(left_home_on__lte=cutoff))
        & (
            Q(city_at_cutoff=F("destination_city"))
            | Q(city_at_cutoff__isnull=True, left_home_on__lte=cutoff)
        )
    )


def candidate_list(*, user, today: date | None = None, organization: int | None = None):
    """Transfer candidates among the members the user keeps at home, longest away first."""
    cutoff = candidate_cutoff(today)
    history = Member.history.model
    moment = timezone.make_aware(datetime.combine(cutoff, time.max))
    city_at_cutoff = Subquery(
        history.objects.filter(id=OuterRef("pk"), history_date__lte=moment)
        .exclude(destination_city="")
        .order_by("-history_date", "-history_id")
        .values("destination_city")[:1]
    )
    qs = (
        permissions.filter_home_members(user)
        .annotate(city_at_cutoff=city_at_cutoff)
        .filter(candidates_q(cutoff))
        .select_related("organization")
        .defer(*Member.ENCRYPTED_FIELDS)
    )
    if organization is not None:
        org = Organization.objects.filter(pk=organization).first()
        qs = qs.filter(organization__path__startswith=org.path) if org else qs.none()
    return qs.order_by(F("left_home_on").asc(nulls_last=True), "pk")


def city_since(members: list[Member]) -> dict[int, date | None]:
    """For a page of candidates: since when each has been in their current city (one
    query): the first recorded state with this city after the last one with another city;
    when the history never showed another city, the departure date (or the first record)."""
    history = Member.history.model
    rows: dict[int, list[tuple]] = {}
    for member_id, at, city in (
        history.objects.filter(id__in=[m.pk for m in members])
        .exclude(destination_city="")
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "destination_city")
    ):
        rows.setdefault(member_id, []).append((at, city))
    result: dict[int, date | None] = {}
    for member in members:
        since, changed = None, False
        for at, city in rows.get(member.pk, []):
            if city != member.destination_city:
                since, changed = None, True
            elif since is None:
                since = at
        first = timezone.localtime(since).date() if since else None
        result[member.pk] = first if changed else (member.left_home_on or first)
    return result


# Figures (dashboard, 工作台) ----------------------------------------------------------------


def figures(*, user, today: date | None = None) -> dict[str, int]:
    """Counts of transfers in the user's scope, for the dashboard and the 工作台: one query.
    `open` and `overdue` count every transfer the user sees; the others what waits for the
    user's own step."""
    today = today or timezone.localdate()
    sending, receiving = permissions.sending_q(user), permissions.receiving_q(user)
    counts = {
        "open": Count("pk", filter=Q(status__in=Transfer.OPEN_STATUSES)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "to_approve": Count("pk", filter=Q(status=S.REQUESTED) & sending),
        "to_accept": Count("pk", filter=Q(status=S.APPROVED) & receiving),
        "to_issue": Count("pk", filter=Q(status=S.PREPARED) & sending),
        "overdue_mine": Count("pk", filter=overdue_q(today) & sending),
    }
    result = permissions.filter_transfers_visible_to(user).aggregate(**counts)
    if not permissions.may_issue_letters(user):
        result["to_issue"] = 0
    return result
