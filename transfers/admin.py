"""Admin for transfers: read-only and scoped to the staff member's subtrees (the steps are
taken on the staff pages and through the API, where every step is checked and audited)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from members.admin.base import ReadOnlyScopedAdminMixin
from members.models import Member

from . import permissions
from .models import IntroductionLetter, Transfer, TransferEvent


class _TransferAdminMixin(ReadOnlyScopedAdminMixin):
    """Home staff only: host-organisation staff do not see the module at all."""

    def has_module_permission(self, request):
        return permissions.takes_part(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.takes_part(request.user) and super().has_view_permission(request, obj)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LetterInline(_ReadOnlyInline):
    model = IntroductionLetter
    fields = [
        "number",
        "issued_on",
        "validity_days",
        "expires_on",
        "dues_paid_until",
        "printed_count",
        "voided_at",
        "void_reason",
    ]
    readonly_fields = fields


class EventInline(_ReadOnlyInline):
    model = TransferEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields


@admin.register(Transfer)
class TransferAdmin(_TransferAdminMixin, admin.ModelAdmin):
    list_display = [
        "member_name",
        "kind",
        "status",
        "from_name",
        "to_name",
        "updated_at",
        "page_link",
    ]
    list_filter = ["kind", "status", ("from_organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__name", "letters__number", "to_name", "from_name"]
    list_select_related = ["member", "from_organization", "to_organization"]
    ordering = ["-updated_at"]
    date_hierarchy = "created_at"
    list_per_page = 100
    inlines = [LetterInline, EventInline]
    fields = [
        "kind",
        "status",
        "member_name",
        "from_organization",
        "to_organization",
        "from_name",
        "to_name",
        "reason",
        "member_status_before",
        "reject_reason",
        "receipt_reported_on",
        "receipt_from_name",
        "receipt_recorded_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def scope_queryset(self, request, qs):
        return permissions.filter_transfers_visible_to(request.user, qs)

    def get_queryset(self, request):
        # The member's name and masked number only: the encrypted columns are not read.
        qs = super().get_queryset(request)
        return qs.defer(*(f"member__{field}" for field in Member.ENCRYPTED_FIELDS))

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, True if search_term else duplicates

    @admin.display(description="党员", ordering="member__name")
    def member_name(self, obj):
        return f"{obj.member.name}（{obj.member.id_number_masked}）"

    @admin.display(description="办理页面")
    def page_link(self, obj):
        return format_html(
            '<a href="{}">办理</a>', reverse("transfers:staff-detail", args=[obj.pk])
        )


@admin.register(IntroductionLetter)
class IntroductionLetterAdmin(_TransferAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "transfer",
        "issued_on",
        "validity_days",
        "expires_on",
        "printed_count",
        "voided_at",
    ]
    list_filter = ["issued_on", "transfer__kind"]
    search_fields = ["number", "transfer__member__name"]
    list_select_related = ["transfer"]
    ordering = ["-issued_at"]
    list_per_page = 100
    fields = [
        "transfer",
        "number",
        "issued_on",
        "validity_days",
        "expires_on",
        "dues_paid_until",
        "from_name",
        "to_name",
        "receipt_to_name",
        "issued_by",
        "issued_at",
        "printed_count",
        "last_printed_at",
        "voided_at",
        "void_reason",
    ]
    readonly_fields = fields

    def scope_queryset(self, request, qs):
        visible = permissions.filter_transfers_visible_to(request.user)
        return qs.filter(transfer__in=visible.values("pk"))
