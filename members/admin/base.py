"""Admin building blocks every app uses: the admin reads and writes only inside the staff
member's scope, through the app's permissions, selectors and services."""

from django.contrib import admin

from .. import permissions


class ScopedAdminMixin:
    """Admin access follows the tiers, not Django's model permissions.

    Subclasses define `scope_queryset(request, qs)` (usually a permissions.filter_*_visible_to)
    and may narrow `has_*_permission`. Superusers get no special rows here: operations use
    the shell, not the admin, to reach data outside a grant.
    """

    def scope_queryset(self, request, qs):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return permissions.is_staff(request.user)

    def has_view_permission(self, request, obj=None):
        if not permissions.is_staff(request.user):
            return False
        return (
            obj is None
            or self.scope_queryset(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.is_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyScopedAdminMixin(ScopedAdminMixin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.site_header = "同心三原 流动e家 · 管理后台"
admin.site.site_title = "流动e家管理后台"
admin.site.index_title = "工作台"


# The admin has no login form of its own: staff log in on the staff login page, which asks
# county-tier accounts for their authenticator's code; the admin refuses sessions of accounts
# that need a second factor but were not verified with one.
def _admin_login(request, extra_context=None):
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    target = request.GET.get("next") or reverse("admin:index")
    return redirect(reverse("members:login") + "?" + urlencode({"as": "staff", "next": target}))


_plain_has_permission = admin.site.has_permission


def _admin_has_permission(request):
    if not _plain_has_permission(request):
        return False
    from ..services.second_factor import second_factor_required

    verified = getattr(request.user, "is_verified", None)
    return (callable(verified) and verified()) or not second_factor_required(request.user)


admin.site.login = _admin_login
admin.site.has_permission = _admin_has_permission
