"""Admin of the audit log (the county tier reads it) and of accounts (operations only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sanyuan.inputs import parse_int
from sanyuan.models import LoginThrottle
from sanyuan.net import client_ip

from .. import permissions
from ..audit_text import action_label, target_type_label
from ..models import (
    AuditEvent,
    User,
)
from ..services import login_throttle
from .base import ReadOnlyScopedAdminMixin


class AuditActorFilter(admin.SimpleListFilter):
    """Staff accounts by name (members are found through the search box by account name)."""

    title = "操作人（工作人员）"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = User.objects.filter(is_staff=True).order_by("username")[:200]
        return [(user.pk, user.display_name) for user in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if parse_int(value) is not None:
            return queryset.filter(actor_id=parse_int(value))
        return queryset


class AuditActionFilter(admin.SimpleListFilter):
    """Actions by their Chinese label (members.audit_text), not their codes."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        from ..selectors.audit import audit_actions

        return [(code, action_label(code)) for code in audit_actions()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class AuditTargetTypeFilter(admin.SimpleListFilter):
    title = "对象类型"
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        from ..selectors.audit import audit_target_types

        return [(label, target_type_label(label)) for label in audit_target_types()]

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """Searchable by the county tier: action, actor, date, target (type and id), address.
    Nobody may change or delete an event (on PostgreSQL the database refuses it too)."""

    list_display = [
        "created_at",
        "action_text",
        "actor",
        "target_text",
        "ip_address",
        "detail_text",
    ]
    list_filter = [AuditActionFilter, AuditActorFilter, AuditTargetTypeFilter]
    search_fields = ["=actor__username", "=target_id", "=action"]
    search_help_text = "按操作人用户名、对象编号、操作代码或IP地址精确查找"
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [
        "created_at",
        "action_text",
        "actor",
        "target_text",
        "ip_address",
        "detail_text",
    ]
    fields = readonly_fields

    @admin.display(description="操作", ordering="action")
    def action_text(self, obj):
        return obj.action_label

    @admin.display(description="对象")
    def target_text(self, obj):
        if not obj.target_type:
            return "—"
        return f"{obj.target_type_label} #{obj.target_id}"

    @admin.display(description="详情")
    def detail_text(self, obj):
        return obj.detail_text[:300] or "—"

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


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """The county tier sees which addresses and accounts are throttled after failed logins
    and lifts a throttle (members.services.login_throttle; audited). Nobody edits a row."""

    list_display = [
        "kind",
        "label",
        "failures",
        "blocking_text",
        "window_started",
        "last_failure_at",
    ]
    list_filter = ["kind"]
    search_fields = ["label"]
    search_help_text = "按来源网段、用户名或打码后的身份证号查找"
    ordering = ["-last_failure_at"]
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = list_display
    fields = readonly_fields
    actions = ["lift"]

    @admin.display(description="正在限制", boolean=True)
    def blocking_text(self, obj):
        return login_throttle.throttle_blocking(obj)

    @admin.action(description="解除所选登录限制", permissions=["lift"])
    def lift(self, request, queryset):
        for throttle in queryset:
            login_throttle.login_throttle_lift(
                actor=request.user, throttle=throttle, ip=client_ip(request)
            )
        self.message_user(request, f"已解除 {len(queryset)} 项登录限制。")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if permissions.can_manage_login_throttles(request.user) else qs.none()

    def has_module_permission(self, request):
        return permissions.can_manage_login_throttles(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_manage_login_throttles(request.user)

    def has_lift_permission(self, request):
        return permissions.can_manage_login_throttles(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
