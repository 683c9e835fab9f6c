"""Who may see and do what in the registry (DESIGN.md, "Who uses it"): every `can_*`
(bool), `check_*` (raises 404 outside the scope, 403 for the wrong tier) and
`filter_*_visible_to` (queryset) of the `members` app. Each asks the per-request `Scope`
(members.permissions.scope), so tiers are compared and grants read in one place.

Tiers: a grant on a province, city or county node is the county tier; grants only on host
organisations (流入地) the host tier; any other grant the committee tier; an account with an
archive the member tier. Superuser is for operations and is not a tier.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ..models import Member, Organization
from .scope import (
    GRANTS_CACHE_SECONDS,
    MANAGE,
    MEMBER_ROW_RELATED,
    STAFF_TIERS,
    TIER_COMMITTEE,
    TIER_COUNTY,
    TIER_LABELS,
    TIER_MEMBER,
    Scope,
    grants_changed,
    nearest_staffed_organization,
    path_ids,
    scope_forget,
    scope_of,
    staff_of,
    staffed_organization_ids,
    user_grants,
)

# Re-exported from .scope, so that callers ask one module.
__all__ = [
    "GRANTS_CACHE_SECONDS",
    "MANAGE",
    "MEMBER_ROW_RELATED",
    "STAFF_TIERS",
    "TIER_COMMITTEE",
    "TIER_COUNTY",
    "TIER_LABELS",
    "TIER_MEMBER",
    "Scope",
    "grants_changed",
    "nearest_staffed_organization",
    "path_ids",
    "scope_forget",
    "scope_of",
    "staff_of",
    "staffed_organization_ids",
    "user_grants",
]


# Tiers -------------------------------------------------------------------------------------


def has_tier(user) -> bool:
    """Any tier at all: staff of any kind or a member (not an account with neither)."""
    return scope_of(user).tier is not None


def is_staff(user) -> bool:
    return scope_of(user).is_staff


def is_county(user) -> bool:
    return scope_of(user).is_county


def is_member(user) -> bool:
    return scope_of(user).is_member


def member_of(user) -> Member | None:
    """The member behind an account (cached for the request). Staff accounts never have one."""
    return scope_of(user).member


def check_signed_in(user) -> None:
    """Pages and endpoints for every tier: an account with none (no grant, no archive) 403."""
    if not has_tier(user):
        raise PermissionDenied("请使用党员或工作人员账号登录。")


def check_staff(user) -> None:
    """Staff pages and endpoints: a signed-in account without grants gets 403."""
    if not scope_of(user).is_staff:
        raise PermissionDenied("仅限党组织工作人员使用。")


def check_member(user) -> None:
    if scope_of(user).member is None:
        raise PermissionDenied("仅限流动党员本人使用。")


# Organisations ---------------------------------------------------------------------------


def filter_organizations_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Organization.objects.all() if qs is None else qs
    return qs.filter(scope_of(user).q())


def can_manage_organization(user, organization: Organization | None) -> bool:
    return scope_of(user).covers(organization)


def check_manage_organization_permission(user, organization: Organization | None) -> None:
    if not can_manage_organization(user, organization):
        raise Http404


def can_place_organization(user, *, parent: Organization | None) -> bool:
    """Create an organisation under `parent`, or move one there: inside the user's scope;
    a new root (no parent) only for the county tier."""
    if parent is None:
        return scope_of(user).is_county
    return scope_of(user).covers(parent)


def tier_requires_second_factor(user) -> bool:
    """Staff of the tiers in STAFF_OTP_REQUIRED_TIERS log in with an authenticator code."""
    from django.conf import settings

    return scope_of(user).tier in settings.STAFF_OTP_REQUIRED_TIERS


def can_manage_skills(user) -> bool:
    """The skills list is the county's (everyone in staff reads it)."""
    return scope_of(user).is_county


def can_read_audit_log(user) -> bool:
    return scope_of(user).is_county


def can_manage_login_throttles(user) -> bool:
    """Login throttles (members.services.login_throttle): the county sees and lifts them."""
    return scope_of(user).is_county


def can_manage_outbox(user) -> bool:
    """The SMS and e-mail outbox (dead letters, resend) is the county's."""
    return scope_of(user).is_county


# Members ---------------------------------------------------------------------------------


def filter_members_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Staff: the archives of their subtree, and (host-organisation staff) the members their
    organisation hosts; a member: their own; anyone else: none."""
    qs = Member.objects.all() if qs is None else qs
    return qs.filter(scope_of(user).members_q())


def filter_members_managed_by(user, qs: QuerySet | None = None) -> QuerySet:
    """Archives the user keeps as home staff (never the hosted ones)."""
    qs = Member.objects.all() if qs is None else qs
    return qs.filter(scope_of(user).q(via="organization__"))


def can_manage_member(user, member: Member) -> bool:
    """Staff of the home organisation keep the archive; the member asks through change
    requests; host-organisation staff only read and keep in touch."""
    return scope_of(user).manages(member)


def check_manage_member_permission(user, member: Member) -> None:
    if not can_manage_member(user, member):
        raise Http404


def can_liaise_member(user, member: Member) -> bool:
    """Keep in touch (contact log): home staff, and host staff for the members they host."""
    scope = scope_of(user)
    return scope.manages(member) or scope.hosts(member)


def check_liaise_member_permission(user, member: Member) -> None:
    if not can_liaise_member(user, member):
        raise Http404


def can_create_member_in(user, organization: Organization | None) -> bool:
    """New archives are created by home staff, inside their scope (never by host staff for
    a host organisation: members belong to their home organisation)."""
    return (
        organization is not None
        and organization.kind != Organization.Kind.HOST
        and scope_of(user).covers(organization)
    )


def can_apply_transfer(user, member: Member, organization: Organization | None = None) -> bool:
    """Move an archive by an organisational relationship transfer (the transfers app decided
    the step): staff of the sending side (home staff of the member) or, for a move inside
    the county, of the receiving side (their scope covers the destination)."""
    scope = scope_of(user)
    if not scope.is_staff:
        return False
    return scope.manages(member) or (organization is not None and scope.covers(organization))


def archive_viewer(user, member: Member) -> str | None:
    """Which column of the field policy (members.archive_fields.FIELD_POLICY) this user reads
    the archive through: "county" or "committee" (home staff in scope), "host" (staff of the
    organisation that hosts the member), "self" (the member), or None (no access)."""
    scope = scope_of(user)
    if scope.is_staff:
        if scope.manages(member):
            return "county" if scope.is_county else "committee"
        if scope.hosts(member):
            return "host"
        return None
    if scope.member is not None and scope.member.pk == member.pk:
        return "self"
    return None


def can_assess_mindset(user, member: Member) -> bool:
    """The mindset note and the mindset assessment of contacts: home staff in scope only."""
    return scope_of(user).manages(member)


def row_viewer(user):
    """For lists of archives the user may read (filter_members_visible_to): a function giving
    each row's viewer without a query (rows outside home scope are hosted ones)."""
    scope = scope_of(user)
    home = "county" if scope.is_county else "committee"

    def viewer(member: Member) -> str | None:
        if scope.is_staff:
            return home if scope.manages(member) else "host"
        if scope.member is not None and scope.member.pk == member.pk:
            return "self"
        return None

    return viewer


def export_viewers(user) -> set[str]:
    """The viewers the rows of an export by `user` may be read through."""
    scope = scope_of(user)
    if not scope.is_staff:
        return set()
    viewers = set()
    if scope.has_home_grants:
        viewers.add("county" if scope.is_county else "committee")
    if scope.host_grants:
        viewers.add("host")
    return viewers


def contact_logs_q(user) -> Q:
    """Contact-log entries a staff user reads: every entry about the members they keep at
    home; for the members they only host, the entries their own organisations wrote."""
    scope = scope_of(user)
    condition = scope.q(via="member__organization__")
    if scope.host_grants:
        written_by_host = Q(pk__in=[])
        for org in scope.host_grants:
            written_by_host |= Q(organization__path__startswith=org.path)
        condition |= scope.hosted_q(via="member__") & written_by_host
    return condition


def contact_organization(user, member: Member) -> Organization | None:
    """The organisation a staff user speaks for when contacting `member`: the outermost grant
    over the home organisation, else the host grant over the host organisation."""
    scope = scope_of(user)
    home = scope.covering(member.organization)
    if home:
        return home[0]
    if member.host_organization_id:
        hosting = [
            org for org in scope.host_grants if member.host_organization.path.startswith(org.path)
        ]
        if hosting:
            return hosting[0]
    return None


# Change requests ---------------------------------------------------------------------------


def filter_change_requests_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Staff: the requests of members they keep at home (host staff review nothing)."""
    from ..models import ChangeRequest

    qs = ChangeRequest.objects.all() if qs is None else qs
    return qs.filter(scope_of(user).q(via="member__organization__"))


def can_review_change_request(user, change_request) -> bool:
    """Who may approve or reject a change request: the home staff in scope of the member."""
    return scope_of(user).manages(change_request.member)


def check_review_change_request_permission(user, change_request) -> None:
    if not can_review_change_request(user, change_request):
        raise Http404


# Registry records around the archive -------------------------------------------------------


def filter_one_time_codes_visible_to(user, qs: QuerySet) -> QuerySet:
    """Issued codes (never the code itself): the home staff of the member."""
    return qs.filter(scope_of(user).q(via="member__organization__"))


def filter_rosters_visible_to(user, qs: QuerySet) -> QuerySet:
    """Roster imports: the county tier sees all; other staff their own uploads."""
    scope = scope_of(user)
    if scope.is_county:
        return qs
    if scope.is_staff:
        return qs.filter(uploaded_by=user)
    return qs.none()


def filter_notices_manageable_by(user, qs: QuerySet) -> QuerySet:
    """Notices as sent (the admin's list): the county tier all, other staff those addressed
    to an organisation in their scope."""
    scope = scope_of(user)
    if scope.is_county:
        return qs
    return qs.filter(scope.q(via="audience_organization__"))


# Temporary branches and hosting -----------------------------------------------------------

TEMPORARY_BRANCH_PARENT_KINDS = (
    Organization.Kind.COUNTY,
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
)


def can_form_temporary_branch(user, *, parent: Organization | None) -> bool:
    """Home staff form a temporary branch under an organisation in their scope."""
    return parent is not None and scope_of(user).covers(parent)


def can_manage_temporary_branch(user, branch: Organization) -> bool:
    return branch.kind == Organization.Kind.TEMPORARY_BRANCH and scope_of(user).covers(branch)


def check_manage_temporary_branch_permission(user, branch: Organization) -> None:
    if not can_manage_temporary_branch(user, branch):
        raise Http404


def can_act_for_host(user, host: Organization | None) -> bool:
    """Accept arrivals and keep in touch for a host organisation: its staff."""
    return host is not None and host.kind == Organization.Kind.HOST and scope_of(user).covers(host)


def check_act_for_host_permission(user, host: Organization | None) -> None:
    if not can_act_for_host(user, host):
        raise Http404


def host_grant(user, host_id) -> Organization | None:
    """The host organisation with id `host_id` if the user holds a grant on it."""
    return next((org for org in scope_of(user).host_grants if str(org.pk) == str(host_id)), None)


def filter_hostings_visible_to(user, qs: QuerySet) -> QuerySet:
    """Arrivals (Hosting rows) at the host organisations the user holds a grant on."""
    condition = Q(pk__in=[])
    for org in scope_of(user).host_grants:
        condition |= Q(host_organization__path__startswith=org.path)
    return qs.filter(condition)


# Notices -----------------------------------------------------------------------------------


def broadcast_notices_q(user) -> Q | None:
    """Broadcast notices whose audience includes the user (None: no broadcast reaches them).
    Each part is one indexed condition on (audience, audience_organization)."""
    from ..models import Notice

    audience = Notice.Audience
    scope = scope_of(user)
    member = scope.member
    parts: list[Q] = []
    if member is not None:
        filters = Q(has_filters=False)
        if scope.skill_ids:
            filters |= Q(
                Exists(
                    Notice.filter_skills.through.objects.filter(
                        notice_id=OuterRef("pk"), skill_id__in=scope.skill_ids
                    )
                )
            )
        if member.destination_province:
            filters |= Q(filter_provinces__contains=f",{member.destination_province},")
        parts.append(
            Q(audience=audience.SUBTREE, audience_organization_id__in=scope.organization_ids)
            & filters
            & Q(created_at__gte=member.created_at)
        )
        if scope.temporary_branch_ids:
            parts.append(
                Q(
                    audience=audience.TEMPORARY_BRANCH,
                    audience_organization_id__in=scope.temporary_branch_ids,
                )
            )
        if scope.host_organization_ids:
            parts.append(
                Q(
                    audience=audience.HOSTED,
                    audience_organization_id__in=scope.host_organization_ids,
                )
            )
    if scope.granted:
        parts.append(Q(audience=audience.STAFF, audience_organization_id__in=scope.granted_ids))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition |= part
    return condition


def can_view_notice(user, notice) -> bool:
    from ..models import Notice, NoticeRecipient

    if not getattr(user, "is_authenticated", False):  # anonymous: no inbox (and no user id)
        return False
    if NoticeRecipient.objects.filter(user=user, notice=notice).exists():
        return True
    condition = broadcast_notices_q(user)
    return condition is not None and Notice.objects.filter(condition, pk=notice.pk).exists()
