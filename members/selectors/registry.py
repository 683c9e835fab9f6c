"""Reads of the registry, always through permissions."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from members import archive_fields, permissions
from members.identity import normalize_id_number
from members.models import Member, Organization, Skill
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError
from sanyuan.prepared import PreparedQuery


def organization_list(*, user, parent: int | None = None) -> QuerySet:
    qs = permissions.filter_organizations_visible_to(user)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("path")


def organization_get(*, user, pk) -> Organization:
    org = permissions.filter_organizations_visible_to(user).filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


# Archive columns no list row shows (ciphertexts to decrypt for nothing).
LIST_DEFERRED = ("id_number", "family_situation", "mindset_note")


def with_skills(queryset):
    """The archives' skills for list rows (members/api/rows.py): on PostgreSQL two arrays
    in the same query (ids and names, in Skill's order), else the usual prefetch."""
    if connection.vendor != "postgresql":
        return queryset.prefetch_related("skills")
    from django.contrib.postgres.expressions import ArraySubquery

    skills = Skill.objects.filter(members=OuterRef("pk")).order_by(*Skill._meta.ordering, "pk")
    return queryset.annotate(
        skill_id_list=ArraySubquery(skills.values("pk")),
        skill_name_list=ArraySubquery(skills.values("name")),
    )


def hash_lookup(q: str) -> tuple[str, str] | None:
    """A full ID number or mobile number as (column, keyed hash); None for anything else."""
    q = q.strip()
    try:
        id_number = normalize_id_number(q)
    except ServiceError:
        id_number = None
    if id_number:
        return "id_number_hash", keyed_hash(id_number, purpose="id_number")
    if len(q) == 11 and q.isascii() and q.isdigit():
        return "phone_hash", keyed_hash(q, purpose="phone")
    return None


def _search_q(q: str) -> Q:
    """Name fragment, masked ID suffix, or a full ID number or phone (through the keyed
    hashes)."""
    q = q.strip()
    lookup = hash_lookup(q)
    if lookup is not None:
        column, value = lookup
        return Q(**{column: value})
    if (q.isascii() and q.isdigit()) or (q.upper().endswith("X") and q[:-1].isdigit()):
        # Phones are encrypted: a whole number is found through its keyed hash, a fragment
        # of one not at all (only the masked ID number's last four digits are searchable).
        return Q(id_number_masked__endswith=q.upper()) if len(q) <= 4 else Q(pk__in=[])
    return Q(name__contains=q)


# A whole ID number or phone finds a handful of archives by keyed hash: looked up with a
# query compiled once per process (sanyuan/prepared.py), the scope applied to those rows by
# Scope.reads (the twin of the scope's SQL, tests/hardening/test_scope_twins.py). More rows
# than this for one hash: the SQL path.
HASH_SEARCH_ROWS = 500


def _hash_search(column: str) -> PreparedQuery:
    def build(value):
        rows = Member.objects.filter(**{column: value}).select_related(
            "organization", "host_organization"
        )
        return with_skills(rows).defer(*LIST_DEFERRED).order_by("-id")[:HASH_SEARCH_ROWS]

    return PreparedQuery(build)


_HASH_SEARCHES = {column: _hash_search(column) for column in ("id_number_hash", "phone_hash")}


def member_search(*, user, q: str, limit: int) -> list[Member]:
    """The staff search (a term in a POST body): archives in the user's scope, newest
    first, at most `limit`, with their skills, for list rows."""
    lookup = hash_lookup(q)
    if lookup is not None:
        column, value = lookup
        found = _HASH_SEARCHES[column](value)
        if len(found) < HASH_SEARCH_ROWS:
            scope = permissions.scope_of(user)
            return [member for member in found if scope.reads(member)][:limit]
    rows = with_skills(member_list(user=user, q=q)).defer(*LIST_DEFERRED)
    return list(rows.order_by("-id")[:limit])


def contact_overdue_q() -> Q:
    cutoff = timezone.now() - timedelta(days=settings.CONTACT_OVERDUE_DAYS)
    return Q(last_contacted_at__isnull=True, created_at__lt=cutoff) | Q(
        last_contacted_at__lt=cutoff
    )


def member_list(
    *,
    user,
    organization: int | None = None,
    q: str = "",
    destination_province: str = "",
    destination_city: str = "",
    occupation: str = "",
    skill: str = "",
    status: str = "",
    party_standing: str = "",
    contact_overdue: bool = False,
    support_group: bool = False,
    honour: str = "",
    dimension: str = "",
    key: str = "",
) -> QuerySet:
    """Archives in the user's scope, filtered; one query (plus its page), never per row."""
    scope = permissions.scope_of(user)
    qs = permissions.filter_members_visible_to(user).select_related("organization")
    if scope.host_grants:  # each row's viewer (home or host) is read without a query
        qs = qs.select_related("host_organization")
    if organization is not None:
        org = permissions.filter_organizations_visible_to(user).filter(pk=organization).first()
        if org is None:
            return qs.none()
        qs = qs.filter(organization__path__startswith=org.path)
    if q and q.strip():
        qs = qs.filter(_search_q(q))
    for field, value in (
        ("destination_province", destination_province),
        ("destination_city", destination_city),
        ("occupation", occupation),
        ("status", status),
        ("party_standing", party_standing),
    ):
        if value:
            qs = qs.filter(**{field: value})
    if skill:
        qs = qs.filter(
            pk__in=Member.skills.through.objects.filter(skill__name=skill).values("member_id")
        )
    if contact_overdue:
        qs = qs.filter(contact_overdue_q())
    if support_group:
        qs = qs.filter(support_group=True)
    if honour == "vanguard":
        qs = qs.filter(is_vanguard=True)
    elif honour == "giving_back_pacesetter":
        qs = qs.filter(is_giving_back_pacesetter=True)
    if dimension:
        # Drill-down from a dashboard chart: the same rule that counted them.
        from members.stats_dimensions import Moments, dimension_q

        condition = dimension_q(dimension, key, Moments.at())
        qs = qs.filter(condition) if condition is not None else qs.none()
        if not archive_fields.dimension_visible(archive_fields.HOST, dimension):
            # A sensitive dimension lists only the archives kept at home, never hosted ones.
            qs = qs.filter(scope.q(via="organization__"))
        if dimension == "skill":
            qs = qs.distinct()
    return qs.order_by("-id")


def member_detail_get(*, user, pk) -> Member:
    """One archive with what its full view needs (organisations, skills): one query for the
    archive, one for its skills; 404 outside the user's scope."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    member = (
        permissions.filter_members_visible_to(user)
        .select_related("organization", "host_organization", "user")
        .prefetch_related("skills")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def member_get(*, user, pk) -> Member:
    """The archive if the user may see it; 404 otherwise (never tells it exists)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    member = (
        permissions.filter_members_visible_to(user)
        .select_related("organization", "user")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member
