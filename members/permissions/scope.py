"""The one per-request `Scope` every app asks, the grants behind it and the reverse questions
("the staff of this organisation").

Tiers are explicit (DESIGN.md, "Who uses it"): staff hold the `manage_organization` grant
(django-guardian, direct foreign-key tables, to a user or to a group) on organisations, and a
grant covers the grantee's whole subtree. A grant on a province, city or county node is the
county tier; grants only on host organisations (流入地) are the host tier; any other grant is the
committee tier. Members reach only their own archive. Superuser is for operations and is not a
tier: it sees nothing through these functions that its grants do not give it.

`scope_of(user)` computes who the user is for access purposes once per request (or task) and
caches it on the user object; every `can_*`, `check_*` and `filter_*_visible_to` here and in
the other apps' `permissions.py` asks it. Nothing else compares tiers or reads the grant tables.
"""

from functools import cached_property

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Q, QuerySet

from sanyuan import respcache
from sanyuan.prepared import PreparedQuery

from ..models import Member, Organization, TemporaryBranchMembership, User

MANAGE = "manage_organization"

TIER_COUNTY = "county"
TIER_COMMITTEE = "committee"
TIER_MEMBER = "member"
STAFF_TIERS = (TIER_COUNTY, TIER_COMMITTEE)
TIER_LABELS = {
    TIER_COUNTY: "县委组织部",
    TIER_COMMITTEE: "基层党（工）委",
    TIER_MEMBER: "流动党员",
}
HOST_STAFF_LABEL = "流入地党组织"

# What every scope check reads with the member behind an account: its home and host
# organisations (for their paths), never its encrypted columns. Shared with the token check,
# which loads the member in the same shape.
MEMBER_ROW_RELATED = ("organization", "host_organization")

GRANTS_CACHE_SECONDS = 300


def path_ids(path: str) -> list[int]:
    """The ids in a materialised path, root first (the organisation itself last)."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Scope:
    """Who one user is for access purposes: tier, grants (user and group), the member behind
    the account and what that member belongs to. Built by `scope_of`, once per request."""

    def __init__(self, user):
        self.user = user
        active = user is not None and user.is_authenticated and user.is_active
        self._active = active
        # Staff accounts carry is_staff (add_staff sets it); members never do: no grant query
        # for them.
        granted = _cached_grants(user) if active and user.is_staff else []
        self.granted: tuple[Organization, ...] = tuple(granted)
        self.grants: tuple[Organization, ...] = tuple(_outermost(granted))

    # Who ----------------------------------------------------------------------------------

    @cached_property
    def member(self) -> Member | None:
        """The archive behind a member account (none for staff: no query for them)."""
        user = self.user
        if not self._active or user.is_staff:
            return None
        fields_cache = user._state.fields_cache  # shared with `user.member`: one query for both
        if "member" not in fields_cache:
            # Without the encrypted columns: no decryption on every request; code that reads
            # them loads them when it does.
            rows = _member_of_account(user.pk)
            fields_cache["member"] = rows[0] if rows else None
        return fields_cache["member"]

    @cached_property
    def tier(self) -> str | None:
        """county, committee (host-organisation staff too: GLOSSARY.md), member or None."""
        if self.grants:
            if any(org.kind in Organization.TOP_KINDS for org in self.grants):
                return TIER_COUNTY
            return TIER_COMMITTEE
        if self.member is not None:
            return TIER_MEMBER
        return None

    @property
    def has_home_grants(self) -> bool:
        """Staff with at least one grant outside the host organisations (home staff)."""
        return len(self.host_grants) < len(self.grants)

    @property
    def is_host_staff(self) -> bool:
        """Staff whose every grant is on a host organisation (流入地): they read and keep in
        touch with the members their organisations host, and nothing of the home registry."""
        return bool(self.grants) and len(self.host_grants) == len(self.grants)

    @property
    def tier_label(self) -> str:
        if self.is_host_staff:
            return HOST_STAFF_LABEL
        return TIER_LABELS.get(self.tier, "")

    @property
    def is_staff(self) -> bool:
        return bool(self.grants)

    @property
    def is_county(self) -> bool:
        return self.tier == TIER_COUNTY

    @property
    def is_member(self) -> bool:
        return not self.grants and self.member is not None

    @property
    def host_grants(self) -> tuple[Organization, ...]:
        return tuple(org for org in self.grants if org.kind == Organization.Kind.HOST)

    # Staff: organisations and members in scope --------------------------------------------

    def q(self, *, via: str = "") -> Q:
        """Rows whose organisation lies in a granted subtree; `via` is the lookup from the
        filtered model to its Organization ("organization__", "" for Organization itself).
        No grants: a Q that matches nothing."""
        if not self.grants:
            return Q(pk__in=[])
        condition = Q()
        for org in self.grants:
            condition |= Q(**{f"{via}path__startswith": org.path})
        return condition

    def covers(self, organization: Organization | None) -> bool:
        if organization is None:
            return False
        return any(organization.path.startswith(org.path) for org in self.grants)

    def covering(self, organization: Organization) -> list[Organization]:
        """The grants that cover `organization`, outermost first (whom staff speak for)."""
        return [org for org in self.grants if organization.path.startswith(org.path)]

    def hosted_q(self, *, via: str = "") -> Q:
        """Members hosted by a host organisation (流入地) the user holds a grant on."""
        condition = Q(pk__in=[])
        for org in self.host_grants:
            condition |= Q(**{f"{via}host_organization__path__startswith": org.path})
        return condition

    def hosts(self, member: Member) -> bool:
        host = member.host_organization if member.host_organization_id else None
        return host is not None and any(host.path.startswith(org.path) for org in self.host_grants)

    def manages(self, member: Member) -> bool:
        """Home staff: the member's home organisation lies in a granted subtree."""
        return self.covers(member.organization)

    def members_q(self, *, via: str = "") -> Q:
        """Archives this user may read: home scope and hosted members for staff, their own
        for a member, nothing for anyone else."""
        if self.grants:
            condition = self.q(via=f"{via}organization__")
            if self.host_grants:
                condition |= self.hosted_q(via=via)
            return condition
        if self.member is not None:
            return Q(**{f"{via}pk": self.member.pk})
        return Q(pk__in=[])

    def reads(self, member: Member) -> bool:
        """`members_q` for one archive whose organisation and host organisation are loaded,
        without a query (tests/hardening/test_scope_twins.py holds the two together)."""
        if self.grants:
            return self.manages(member) or self.hosts(member)
        if self.member is not None:
            return member.pk == self.member.pk
        return False

    @cached_property
    def grant_ancestor_ids(self) -> list[int]:
        """Organisations above the grants (their audiences include the staff's area)."""
        ids: set[int] = set()
        for org in self.grants:
            ids.update(org.ancestor_ids)
        return sorted(ids)

    @property
    def granted_ids(self) -> list[int]:
        """Every organisation granted (inner grants included): notices to "the staff of an
        organisation" reach the holders of a grant on it."""
        return [org.pk for org in self.granted]

    # Member: what the member belongs to ---------------------------------------------------

    @property
    def organization_ids(self) -> list[int]:
        """The member's home organisation and its ancestors."""
        member = self.member
        return path_ids(member.organization.path) if member is not None else []

    @property
    def host_organization_ids(self) -> list[int]:
        member = self.member
        if member is None or not member.host_organization_id:
            return []
        return path_ids(member.host_organization.path)

    @cached_property
    def temporary_branch_ids(self) -> list[int]:
        if self.member is None:
            return []
        return list(
            TemporaryBranchMembership.objects.filter(
                member_id=self.member.pk, left_at__isnull=True
            ).values_list("branch_id", flat=True)
        )

    @cached_property
    def skill_ids(self) -> list[int]:
        if self.member is None:
            return []
        return list(
            Member.skills.through.objects.filter(member_id=self.member.pk).values_list(
                "skill_id", flat=True
            )
        )


_SCOPE_ATTR = "_sanyuan_scope"


# The archive behind an account, compiled once per process (sanyuan/prepared.py): every
# signed-in member's page asks for it.
_member_of_account = PreparedQuery(
    lambda user_id: (
        Member.objects.select_related(*MEMBER_ROW_RELATED)
        .defer(*Member.ENCRYPTED_FIELDS)
        .filter(user_id=user_id)
        .order_by("pk")[:1]
    ),
    kinds=(int,),
)


def scope_of(user) -> Scope:
    """The user's scope, computed once and kept on the user object for the request."""
    if user is None:
        return Scope(None)
    scope = getattr(user, _SCOPE_ATTR, None)
    if scope is None:
        scope = Scope(user)
        setattr(user, _SCOPE_ATTR, scope)
    return scope


def scope_forget(user) -> None:
    """Drop the scope cached on a user object (after its grants or membership changed)."""
    if user is not None and hasattr(user, _SCOPE_ATTR):
        delattr(user, _SCOPE_ATTR)


# Grants: read once, cached, dropped when they change ---------------------------------------


def grants_changed() -> None:
    """Grants, group memberships or organisation paths changed: cached grant lists are stale."""
    try:
        cache.incr("grants-version")
    except ValueError:
        cache.set("grants-version", 2, timeout=None)


GRANT_TABLES = (
    "members_organizationuserobjectpermission",
    "members_organizationgroupobjectpermission",
    "members_user_groups",
    "members_organization",
    "auth_permission",
)


def _cached_grants(user) -> list[Organization]:
    """The grant query costs a join per staff request; its result is kept in the cache for a
    few minutes and dropped at once when grants or paths change (grants_changed)."""
    # A cached answer made with these grants depends on the tables they come from.
    respcache.depends_on(*GRANT_TABLES)
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


def _grant_q(prefix: str = "") -> Q:
    """Grants of `manage_organization` to a user directly or through one of their groups."""
    return Q(
        **{
            f"{prefix}organizationuserobjectpermission__permission__codename": MANAGE,
        }
    ) | Q(**{f"{prefix}organizationgroupobjectpermission__permission__codename": MANAGE})


def _query_grants(user) -> list[Organization]:
    return list(
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


def _outermost(granted: list[Organization]) -> list[Organization]:
    """A grant inside another grant adds nothing to the scope; keep the outermost ones."""
    outermost: list[Organization] = []
    for org in sorted(granted, key=lambda org: org.path):
        if not any(org.path.startswith(top.path) for top in outermost):
            outermost.append(org)
    return outermost


# The reverse questions: who holds a grant where -------------------------------------------


def staffed_organization_ids(ids: list[int] | None = None) -> set[int]:
    """Organisations (among `ids`, or all) on which somebody holds a grant, to a user or a
    group: one query."""
    qs = Organization.objects.filter(_grant_q())
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return set(qs.values_list("pk", flat=True).distinct())


def staff_of(organization: Organization, *, inherited: bool = False) -> QuerySet:
    """Active staff accounts holding a grant on `organization` (with `inherited`, also on any
    organisation above it), directly or through a group."""
    ids = path_ids(organization.path) if inherited else [organization.pk]
    return User.objects.filter(
        Q(
            organizationuserobjectpermission__content_object_id__in=ids,
            organizationuserobjectpermission__permission__codename=MANAGE,
        )
        | Q(
            groups__in=Group.objects.filter(
                organizationgroupobjectpermission__content_object_id__in=ids,
                organizationgroupobjectpermission__permission__codename=MANAGE,
            )
        ),
        is_active=True,
        is_staff=True,
    ).distinct()


def nearest_staffed_organization(organization: Organization) -> Organization | None:
    """The nearest organisation at or above `organization` on which somebody holds a grant."""
    ids = path_ids(organization.path)
    staffed = staffed_organization_ids(ids)
    for org_id in reversed(ids):
        if org_id in staffed:
            return (
                organization if org_id == organization.pk else Organization.objects.get(pk=org_id)
            )
    return None


def user_grants(user) -> list[Organization]:
    """The organisations granted to this user directly (not through groups): what `add_staff`
    replaces."""
    return list(
        Organization.objects.filter(
            organizationuserobjectpermission__user=user,
            organizationuserobjectpermission__permission__codename=MANAGE,
        )
    )
