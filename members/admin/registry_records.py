"""Admin of the records around the archive: skills, change requests, contact logs, roster
imports and issued one-time codes."""

from django.contrib import admin

from .. import permissions
from ..models import (
    ChangeRequest,
    ContactLog,
    OneTimeCode,
    RosterImport,
    Skill,
)
from .base import ReadOnlyScopedAdminMixin


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """The maintained skills list: county staff extend it, everyone in staff reads it."""

    list_display = ["name", "category"]
    search_fields = ["name"]

    def has_module_permission(self, request):
        return permissions.is_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_staff(request.user)

    def has_add_permission(self, request):
        return permissions.can_manage_skills(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_skills(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """Listed here for search; reviewing happens on the staff page (diff, evidence)."""

    list_display = ["member", "asked_fields", "status", "created_at", "reviewed_at", "review_link"]
    list_filter = ["status"]
    list_select_related = ["member"]
    fields = [
        "member",
        "asked_fields",
        "reason",
        "status",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "withdrawn_at",
        "review_link",
    ]
    readonly_fields = ["asked_fields", "review_link"]

    @admin.display(description="涉及字段", ordering="fields")
    def asked_fields(self, obj):
        return obj.field_labels

    def scope_queryset(self, request, qs):
        return permissions.filter_change_requests_visible_to(request.user, qs)

    @admin.display(description="审核")
    def review_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="/staff/change-requests/{}/">打开审核页</a>', obj.pk)


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["member", "contacted_on", "channel", "mindset", "staff"]
    list_filter = ["channel", "mindset"]
    list_select_related = ["member", "staff"]
    date_hierarchy = "contacted_on"

    def scope_queryset(self, request, qs):
        return qs.filter(permissions.contact_logs_q(request.user))


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "file_name",
        "uploaded_by",
        "status",
        "total_rows",
        "valid_rows",
        "created",
        "updated",
        "created_at",
    ]
    exclude = ["content", "errors_json"]

    def scope_queryset(self, request, qs):
        return permissions.filter_rosters_visible_to(request.user, qs)


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "member",
        "channel",
        "issued_by",
        "created_at",
        "expires_at",
        "used_at",
        "voided_at",
        "failed_attempts",
    ]
    list_select_related = ["member", "issued_by"]
    exclude = ["code_hash"]

    def scope_queryset(self, request, qs):
        return permissions.filter_one_time_codes_visible_to(request.user, qs)
