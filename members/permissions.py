"""Who may see and do what in the registry (DESIGN.md, "Who uses it").

Tiers are explicit: staff hold the `manage_organization` grant (django-guardian, direct
foreign-key table) on organisations, and a grant covers the grantee's whole subtree. A grant on
a province, city or county node is the county tier; any grant below is the committee tier.
Members reach only their own archive. Superuser is for operations and is not a tier: it sees
nothing through these functions that its grants do not give it.
"""

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Member, Organization

MANAGE = "manage_organization"

TIER_COUNTY = "county"
TIER_COMMITTEE = "committee"
TIER_MEMBER = "member"


def staff_grants(user) -> list[Organization]:
    """Organisations the user may manage (with their subtrees), computed once per request."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        # Staff accounts carry is_staff (add_staff sets it); members never do: no query for them.
        return []
    cached = getattr(user, "_sanyuan_grants", None)
    if cached is None:
        cached = _cached_grants(user)
        user._sanyuan_grants = cached
    return cached


GRANTS_CACHE_SECONDS = 300


def grants_changed() -> None:
    """Grants or organisation paths changed: every cached grant list is stale."""
    try:
        cache.incr("grants-version")
    except ValueError:
        cache.set("grants-version", 2, timeout=None)


def _cached_grants(user) -> list[Organization]:
    """The grant query costs a join per staff request; its result is kept in the cache for a
    few minutes and dropped at once when grants or paths change (grants_changed)."""
    version = cache.get_or_set("grants-version", 1, timeout=None)
    key = f"grants:{version}:{user.pk}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            (org.pk, org.code, org.name, org.kind, org.parent_id, org.path, org.depth)
            for org in _query_grants(user)
        ]
        cache.set(key, rows, timeout=GRANTS_CACHE_SECONDS)
    return [
        Organization(
            pk=pk, code=code, name=name, kind=kind, parent_id=parent, path=path, depth=depth
        )
        for pk, code, name, kind, parent, path, depth in rows
    ]


def _query_grants(user) -> list[Organization]:
    granted = list(
        Organization.objects.filter(
            Q(
                organizationuserobjectpermission__user=user,
                organizationuserobjectpermission__permission__codename=MANAGE,
            )
            | Q(
                organizationgroupobjectpermission__group__user=user,
                organizationgroupobjectpermission__permission__codename=MANAGE,
            )
        )
        .distinct()
        .order_by("path")
    )
    # A grant inside another grant adds nothing; keep only the outermost ones.
    outermost: list[Organization] = []
    for org in granted:
        if not any(org.path.startswith(top.path) for top in outermost):
            outermost.append(org)
    return outermost


# What every scope check reads with the member behind an account: its home and host
# organisations (for their paths), never its encrypted columns. Shared with the token check,
# which loads the member in the same shape.
MEMBER_ROW_RELATED = ("organization", "host_organization")


def member_of(user) -> Member | None:
    """The member behind an account (cached on the user object for the request). Staff accounts
    never have one: no query for them."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_staff:
        return None
    cache = user._state.fields_cache  # shared with `user.member`, so both cost one query
    if "member" not in cache:
        # The archive with its home and host organisations: every scope check needs their paths.
        # Without the encrypted columns (ID number, family situation, mindset note): no
        # decryption on every request; code that reads them loads them when it does.
        cache["member"] = (
            Member.objects.select_related(*MEMBER_ROW_RELATED)
            .defer(*Member.ENCRYPTED_FIELDS)
            .filter(user=user)
            .first()
        )
    return cache["member"]


def user_tier(user) -> str | None:
    grants = staff_grants(user)
    if grants:
        if any(org.kind in Organization.TOP_KINDS for org in grants):
            return TIER_COUNTY
        return TIER_COMMITTEE
    if member_of(user) is not None:
        return TIER_MEMBER
    return None


def is_staff_user(user) -> bool:
    return bool(staff_grants(user))


def scope_q(user, *, via: str = "") -> Q:
    """A Q that keeps rows whose organisation lies in the user's granted subtrees.

    `via` is the lookup from the filtered model to its Organization ("organization__",
    "" for Organization itself). No grants: a Q that matches nothing.
    """
    grants = staff_grants(user)
    if not grants:
        return Q(pk__in=[])
    q = Q()
    for org in grants:
        q |= Q(**{f"{via}path__startswith": org.path})
    return q


def in_scope(user, organization: Organization | None) -> bool:
    if organization is None:
        return False
    return any(organization.path.startswith(org.path) for org in staff_grants(user))


# Organisations ---------------------------------------------------------------------------


def filter_organizations_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Organization.objects.all() if qs is None else qs
    return qs.filter(scope_q(user))


def can_manage_organization(user, organization: Organization) -> bool:
    return in_scope(user, organization)


def check_manage_organization_permission(user, organization: Organization) -> None:
    if not can_manage_organization(user, organization):
        raise Http404


# Members ---------------------------------------------------------------------------------


def _host_grants(user) -> list[Organization]:
    return [org for org in staff_grants(user) if org.kind == Organization.Kind.HOST]


def hosted_q(user, *, via: str = "") -> Q:
    """Members hosted by a host organisation (流入地) the user holds a grant on."""
    q = Q(pk__in=[])
    for org in _host_grants(user):
        q |= Q(**{f"{via}host_organization__path__startswith": org.path})
    return q


def filter_members_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Staff: the archives of their subtree, and (host-organisation staff) the members their
    organisation hosts; a member: their own; anyone else: none."""
    qs = Member.objects.all() if qs is None else qs
    if is_staff_user(user):
        condition = scope_q(user, via="organization__")
        if _host_grants(user):
            condition |= hosted_q(user)
        return qs.filter(condition)
    own = member_of(user)
    if own is not None:
        return qs.filter(pk=own.pk)
    return qs.none()


def is_hosting_staff_for(user, member: Member) -> bool:
    host = member.host_organization
    return host is not None and any(host.path.startswith(org.path) for org in _host_grants(user))


def can_view_member(user, member: Member) -> bool:
    if is_staff_user(user):
        return in_scope(user, member.organization) or is_hosting_staff_for(user, member)
    own = member_of(user)
    return own is not None and own.pk == member.pk


def can_manage_member(user, member: Member) -> bool:
    """Staff of the home organisation keep the archive; the member asks through change
    requests; host-organisation staff only read and keep in touch."""
    return in_scope(user, member.organization)


def check_manage_member_permission(user, member: Member) -> None:
    if not can_manage_member(user, member):
        raise Http404


def can_liaise_member(user, member: Member) -> bool:
    """Keep in touch (contact log): home staff, and host staff for the members they host."""
    return can_manage_member(user, member) or is_hosting_staff_for(user, member)


def check_liaise_member_permission(user, member: Member) -> None:
    if not can_liaise_member(user, member):
        raise Http404


def member_viewer(user, member: Member) -> str:
    """Which fields of an archive the user reads: "staff" (home staff: everything), "limited"
    (host staff: not the sensitive fields), "self" (the member: not the staff-only ones)."""
    if can_manage_member(user, member):
        return "staff"
    if is_staff_user(user):
        return "limited"
    return "self"
