"""Who may do what with WeChat bindings: a member binds and unbinds their own; home staff of
the member's organisation (county, committee) see and remove one; host-organisation staff
and anonymous users never see them."""

from django.db.models import QuerySet

from members import permissions as member_permissions
from members.permissions import scope_of

from .models import WechatBinding


def can_bind(user) -> bool:
    """A signed-in member with an archive (staff have no WeChat sign-in)."""
    return scope_of(user).is_member


def filter_bindings_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = WechatBinding.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_member:
        return qs.filter(member_id=scope.member.pk)
    if scope.is_staff:
        return qs.filter(member__in=member_permissions.filter_members_managed_by(user))
    return qs.none()


def can_remove_binding(user, binding: WechatBinding) -> bool:
    scope = scope_of(user)
    if scope.is_member:
        return binding.member_id == scope.member.pk
    return scope.is_staff and member_permissions.can_manage_member(user, binding.member)
