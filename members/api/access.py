"""DRF permission classes for the tiers; every app's API uses these."""

from rest_framework.permissions import BasePermission

from members import permissions


class IsStaff(BasePermission):
    """Staff of any tier. A member or an account without grants gets 403."""

    message = "仅限党组织工作人员使用。"

    def has_permission(self, request, view):
        return permissions.is_staff(request.user)


class IsMember(BasePermission):
    message = "仅限流动党员本人使用。"

    def has_permission(self, request, view):
        return permissions.member_of(request.user) is not None


class IsStaffOrMember(BasePermission):
    message = "请使用党员或工作人员账号登录。"

    def has_permission(self, request, view):
        return permissions.has_tier(request.user)
