"""Staff see the WeChat bindings of the archives they keep and remove one (a lost phone),
audited through the service; nobody adds or edits a binding here."""

from django.contrib import admin, messages

from members.admin.base import ReadOnlyScopedAdminMixin

from . import permissions, services
from .models import WechatBinding


@admin.register(WechatBinding)
class WechatBindingAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["member", "app_kind", "created_at", "last_signed_in_at"]
    list_filter = ["app_kind"]
    list_select_related = ["member"]
    search_fields = ["member__name"]
    fields = ["member", "app_kind", "created_at", "last_signed_in_at"]
    readonly_fields = fields
    actions = ["remove_selected"]

    def scope_queryset(self, request, qs):
        return permissions.filter_bindings_visible_to(request.user, qs)

    def has_module_permission(self, request):
        return super().has_module_permission(request) and not self._host_only(request)

    def has_view_permission(self, request, obj=None):
        return not self._host_only(request) and super().has_view_permission(request, obj)

    @staticmethod
    def _host_only(request) -> bool:
        return permissions.scope_of(request.user).is_host_staff

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return self.has_view_permission(request)
        return permissions.can_remove_binding(request.user, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletions go through the audited service
        return actions

    def delete_model(self, request, obj):
        services.binding_remove(actor=request.user, binding=obj)

    def delete_queryset(self, request, queryset):
        for binding in queryset:
            services.binding_remove(actor=request.user, binding=binding)

    @admin.action(description="解除所选的微信绑定")
    def remove_selected(self, request, queryset):
        count = 0
        for binding in queryset.select_related("member"):
            services.binding_remove(actor=request.user, binding=binding)
            count += 1
        messages.success(request, f"已解除 {count} 个微信绑定。")
