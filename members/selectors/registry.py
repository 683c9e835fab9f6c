"""Reads of the registry, always through permissions."""

from django.db.models import Q, QuerySet
from django.http import Http404

from members import permissions
from members.identity import normalize_id_number
from members.models import Member, Organization
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError


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


def _search_q(q: str) -> Q:
    """Name fragment, masked ID suffix, full ID number (through the keyed hash), or phone."""
    q = q.strip()
    try:
        id_number = normalize_id_number(q)
    except ServiceError:
        id_number = None
    if id_number:
        return Q(id_number_hash=keyed_hash(id_number, purpose="id_number"))
    if (q.isascii() and q.isdigit()) or (q.upper().endswith("X") and q[:-1].isdigit()):
        condition = Q(id_number_masked__endswith=q.upper()) if len(q) <= 4 else Q()
        if len(q) >= 4:
            condition |= Q(phone__contains=q)
        return condition
    return Q(name__contains=q)


def member_list(*, user, organization: int | None = None, q: str = "") -> QuerySet:
    qs = permissions.filter_members_visible_to(user).select_related("organization")
    if organization is not None:
        org = permissions.filter_organizations_visible_to(user).filter(pk=organization).first()
        if org is None:
            return qs.none()
        qs = qs.filter(organization__path__startswith=org.path)
    if q and q.strip():
        qs = qs.filter(_search_q(q))
    return qs.order_by("-id")


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
