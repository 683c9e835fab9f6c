"""Admin of notices as sent and of their outbox (SMS, e-mail; dead letters resent)."""

from django.contrib import admin

from .. import permissions
from ..models import (
    Notice,
    NoticeDelivery,
)
from ..services import notices
from .base import ReadOnlyScopedAdminMixin


@admin.register(Notice)
class NoticeAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "title",
        "audience",
        "audience_organization",
        "dispatched_at",
    ]
    list_filter = ["kind", "audience"]
    list_select_related = ["audience_organization"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    exclude = ["dedupe_key"]  # an internal key ("forum-post:12"), not for readers

    def scope_queryset(self, request, qs):
        return permissions.filter_notices_manageable_by(request.user, qs)


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """The outbox of SMS and e-mail; dead-lettered deliveries can be sent again."""

    list_display = [
        "created_at",
        "notice",
        "channel",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["notice"]
    actions = ["retry_dead"]
    show_full_result_count = False

    def scope_queryset(self, request, qs):
        return qs if permissions.can_manage_outbox(request.user) else qs.none()

    def has_module_permission(self, request):
        return permissions.can_manage_outbox(request.user)

    def has_change_permission(self, request, obj=None):
        # The list action needs it; the change form itself shows read-only fields.
        return permissions.can_manage_outbox(request.user)

    def get_readonly_fields(self, request, obj=None):
        return self.person_names([field.name for field in self.model._meta.fields])

    @admin.action(description="重新发送所选的失败记录")
    def retry_dead(self, request, queryset):
        count = notices.notice_delivery_retry(actor=request.user, deliveries=queryset)
        self.message_user(request, f"已重新安排发送 {count} 条。")
