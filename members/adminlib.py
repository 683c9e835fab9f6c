"""Admin building blocks every app uses: the admin reads and writes only inside the staff
member's scope, through the app's permissions, selectors and services."""

from django.contrib import admin

from . import permissions


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
        return permissions.is_staff_user(request.user)

    def has_view_permission(self, request, obj=None):
        if not permissions.is_staff_user(request.user):
            return False
        return (
            obj is None
            or self.scope_queryset(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.is_staff_user(request.user)

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
