"""Admin of the audit log (the county tier reads it) and of accounts (operations only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sanyuan.inputs import parse_int

from .. import permissions
from ..models import (
    AuditEvent,
    User,
)
from .base import ReadOnlyScopedAdminMixin


class AuditActorFilter(admin.SimpleListFilter):
    """Staff accounts by name (members are found through the search box by account name)."""

    title = "操作人（工作人员）"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        return list(
            User.objects.filter(is_staff=True)
            .order_by("username")
            .values_list("pk", "username")[:200]
        )

    def queryset(self, request, queryset):
        value = self.value()
        if parse_int(value) is not None:
            return queryset.filter(actor_id=parse_int(value))
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """Searchable by the county tier: action, actor, date, target (type and id), address.
    Nobody may change or delete an event (on PostgreSQL the database refuses it too)."""

    list_display = [
        "created_at",
        "action",
        "actor",
        "target_type",
        "target_id",
        "ip_address",
        "detail_text",
    ]
    list_filter = ["action", AuditActorFilter, "target_type"]
    search_fields = ["=actor__username", "=target_id", "=action"]
    search_help_text = "按操作人用户名、对象编号、操作代码或IP地址精确查找"
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [
        "created_at",
        "action",
        "actor",
        "target_type",
        "target_id",
        "ip_address",
        "detail_text",
    ]
    exclude = ["detail"]

    @admin.display(description="详情")
    def detail_text(self, obj):
        import json

        return json.dumps(obj.detail, ensure_ascii=False)[:300]

    def get_search_results(self, request, queryset, search_term):
        import ipaddress

        term = search_term.strip()
        try:
            address = str(ipaddress.ip_address(term))
        except ValueError:
            return super().get_search_results(request, queryset, term)
        return queryset.filter(ip_address=address), False

    def scope_queryset(self, request, qs):
        # The county tier reads the audit log; nobody else.
        return qs if permissions.can_read_audit_log(request.user) else qs.none()

    def has_module_permission(self, request):
        return permissions.can_read_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_read_audit_log(request.user)


@admin.register(User)
class SanyuanUserAdmin(UserAdmin):
    """Accounts are an operations matter (superusers); staff use `add_staff`."""

    def has_module_permission(self, request):
        return request.user.is_superuser
