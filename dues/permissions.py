"""Who may see and record party dues.

Income and dues are personal data (DESIGN.md): a member sees their own; home staff in scope
(the branch's staff and every tier above, through their grants) see and record the dues of
the members they keep; host-organisation staff (流入地) see nothing of dues (403 on every
dues page and endpoint); the county tier alone sees the reconciliation of WeChat Pay
merchants. Every check goes through members.permissions.scope_of.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from members.models import Member, Organization
from members.permissions import scope_of

from .models import DuesEntry, DuesReceipt

HOST_REFUSAL = "流入地党组织不掌握党员的党费和收入情况，请联系党员的流出地党组织。"


def handles_dues(user) -> bool:
    """Staff who keep members at home (every tier except host-organisation staff)."""
    scope = scope_of(user)
    return scope.is_staff and scope.has_home_grants


def check_dues_staff(user) -> None:
    scope = scope_of(user)
    if not scope.is_staff:
        raise PermissionDenied("仅限党组织工作人员使用。")
    if not scope.has_home_grants:
        raise PermissionDenied(HOST_REFUSAL)


def members_q(user, *, via: str = "") -> Q:
    """Members whose dues the user keeps (home scope; never hosted ones)."""
    return scope_of(user).q(via=f"{via}organization__")


def filter_dues_members_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Member.objects.all() if qs is None else qs
    if not handles_dues(user):
        return qs.none()
    return qs.filter(members_q(user))


def can_keep_dues(user, member: Member) -> bool:
    """Record payments, set the category and base, correct, refund: home staff in scope."""
    return handles_dues(user) and scope_of(user).manages(member)


def check_keep_dues_permission(user, member: Member) -> None:
    if not can_keep_dues(user, member):
        raise Http404


def can_view_dues(user, member: Member) -> bool:
    scope = scope_of(user)
    if scope.is_staff:
        return can_keep_dues(user, member)
    return scope.member is not None and scope.member.pk == member.pk


def check_view_dues_permission(user, member: Member) -> None:
    if not can_view_dues(user, member):
        raise Http404


def filter_receipts_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = DuesReceipt.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        if not handles_dues(user):
            return qs.none()
        return qs.filter(members_q(user, via="member__"))
    if scope.member is not None:
        return qs.filter(member_id=scope.member.pk)
    return qs.none()


def filter_entries_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = DuesEntry.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        if not handles_dues(user):
            return qs.none()
        return qs.filter(members_q(user, via="member__"))
    if scope.member is not None:
        return qs.filter(member_id=scope.member.pk)
    return qs.none()


def filter_organizations_for_totals(user, qs: QuerySet | None = None) -> QuerySet:
    """Organisations whose dues totals the user reads: their home scope."""
    qs = Organization.objects.all() if qs is None else qs
    if not handles_dues(user):
        return qs.none()
    return qs.filter(scope_of(user).q()).exclude(kind=Organization.Kind.HOST)


def can_read_reconciliation(user) -> bool:
    return scope_of(user).is_county


def check_member_payer(user) -> Member:
    """The member paying their own dues (members only)."""
    scope = scope_of(user)
    if scope.member is None or scope.is_staff:
        raise PermissionDenied("仅限党员本人交纳党费。")
    return scope.member
