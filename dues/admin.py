"""Admin for dues: read-only and scoped to the home staff's subtrees (the ledger is written on
the staff pages and through the API, where every step is checked, appended and audited).
Host-organisation staff do not see the module."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from members.admin.base import ReadOnlyScopedAdminMixin
from members.models import Member

from . import permissions, rules
from .models import DuesAccount, DuesEntry, DuesOrder, DuesReceipt, DuesReconciliation

MEMBER_DEFER = tuple(f"member__{field}" for field in Member.ENCRYPTED_FIELDS)


class _DuesAdminMixin(ReadOnlyScopedAdminMixin):
    def has_module_permission(self, request):
        return permissions.handles_dues(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.handles_dues(request.user) and super().has_view_permission(request, obj)

    def scope_queryset(self, request, qs):
        return qs.filter(permissions.members_q(request.user, via="member__"))

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*MEMBER_DEFER)

    @admin.display(description="党员", ordering="member__name")
    def member_name(self, obj):
        return obj.member.name


@admin.register(DuesAccount)
class DuesAccountAdmin(_DuesAdminMixin, admin.ModelAdmin):
    list_display = ["member_name", "dues_category", "starts_on", "paid_through", "page_link"]
    list_filter = ["dues_category"]
    search_fields = ["member__name"]
    list_select_related = ["member"]
    ordering = ["member__name"]
    list_per_page = 100
    fields = [
        "member_name",
        "dues_category",
        "decision_note",
        "starts_on",
        "paid_through",
        "updated_by",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="台账页面")
    def page_link(self, obj):
        url = reverse("dues:staff-member", args=[obj.member_id])
        return format_html('<a href="{}">查看台账</a>', url)


@admin.register(DuesReceipt)
class DuesReceiptAdmin(_DuesAdminMixin, admin.ModelAdmin):
    list_display = ["number", "member_name", "kind", "method", "total", "paid_at", "recorded_by"]
    list_filter = ["kind", "method", "paid_at"]
    search_fields = ["number", "member__name"]
    list_select_related = ["member", "recorded_by"]
    ordering = ["-paid_at"]
    list_per_page = 100
    fields = [
        "number",
        "member_name",
        "kind",
        "method",
        "total",
        "paid_at",
        "recorded_by",
        "organization",
        "order",
        "refund_of",
        "note",
    ]
    readonly_fields = fields

    @admin.display(description="金额（元）")
    def total(self, obj):
        return rules.yuan(obj.total_fen)


@admin.register(DuesEntry)
class DuesEntryAdmin(_DuesAdminMixin, admin.ModelAdmin):
    list_display = [
        "member_name",
        "month",
        "kind",
        "amount",
        "receipt",
        "recorded_by",
        "created_at",
    ]
    list_filter = ["kind", "month"]
    search_fields = ["member__name", "receipt__number"]
    list_select_related = ["member", "receipt", "recorded_by"]
    ordering = ["-created_at"]
    list_per_page = 100
    fields = [
        "member_name",
        "month",
        "kind",
        "amount",
        "receipt",
        "corrects",
        "recorded_by",
        "note",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="金额（元）")
    def amount(self, obj):
        return rules.yuan(obj.amount_fen)


@admin.register(DuesOrder)
class DuesOrderAdmin(_DuesAdminMixin, admin.ModelAdmin):
    list_display = [
        "out_trade_no",
        "member_name",
        "status",
        "channel",
        "amount",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["out_trade_no", "transaction_id", "member__name"]
    list_select_related = ["member"]
    ordering = ["-created_at"]
    list_per_page = 100
    fields = [
        "out_trade_no",
        "member_name",
        "mchid",
        "appid",
        "status",
        "channel",
        "amount",
        "transaction_id",
        "created_at",
        "expires_at",
        "paid_at",
        "closed_at",
    ]
    readonly_fields = fields

    @admin.display(description="金额（元）")
    def amount(self, obj):
        return rules.yuan(obj.amount_fen)


@admin.register(DuesReconciliation)
class DuesReconciliationAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """The county tier's: WeChat Pay merchants collect for the county."""

    list_display = ["bill_date", "mchid", "status", "payments", "checked_at"]
    list_filter = ["status"]
    ordering = ["-bill_date"]
    fields = ["bill_date", "mchid", "status", "payments", "problems", "checked_at"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return permissions.can_read_reconciliation(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.can_read_reconciliation(request.user)

    def scope_queryset(self, request, qs):
        return qs if permissions.can_read_reconciliation(request.user) else qs.none()
