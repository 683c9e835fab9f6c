"""Admin for appraisals: read-only and scoped to the staff member's subtrees (the steps are
taken on the staff pages and through the API, where each is checked and audited). The
ballot's tables (register, counters, paper totals) have no admin at all: tallies are read on
the round's staff page, and only once the ballot is closed."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from members.admin.base import ReadOnlyScopedAdminMixin
from members.models import Member

from . import permissions
from .models import Appraisal, AppraisalParticipant, SelfAssessment


class _AppraisalAdminMixin(ReadOnlyScopedAdminMixin):
    """Home staff only: host-organisation staff do not see the module at all."""

    def has_module_permission(self, request):
        return permissions.takes_part(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.takes_part(request.user) and super().has_view_permission(request, obj)


class ParticipantInline(admin.TabularInline):
    model = AppraisalParticipant
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["member_name", "final_rating", "final_reason", "decision", "rated_at", "approved_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("member")
            .defer(*(f"member__{field}" for field in Member.ENCRYPTED_FIELDS))
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="党员")
    def member_name(self, obj):
        return f"{obj.member.name}（{obj.member.id_number_masked}）"


@admin.register(Appraisal)
class AppraisalAdmin(_AppraisalAdminMixin, admin.ModelAdmin):
    list_display = [
        "organization",
        "year",
        "self_assessment_ends_on",
        "ballot_ends_on",
        "decision_ends_on",
        "finished_at",
        "page_link",
    ]
    list_filter = ["year", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organization__name"]
    list_select_related = ["organization"]
    ordering = ["-year", "-id"]
    list_per_page = 100
    inlines = [ParticipantInline]
    fields = [
        "organization",
        "year",
        "self_assessment_ends_on",
        "ballot_starts_on",
        "ballot_ends_on",
        "decision_ends_on",
        "ballot_closed_at",
        "paper_ballots",
        "finished_at",
        "opened_by",
        "created_at",
    ]
    readonly_fields = fields

    def scope_queryset(self, request, qs):
        return permissions.filter_appraisals_visible_to(request.user, qs)

    @admin.display(description="办理页面")
    def page_link(self, obj):
        return format_html(
            '<a href="{}">办理</a>', reverse("appraisals:staff-detail", args=[obj.pk])
        )


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(_AppraisalAdminMixin, admin.ModelAdmin):
    list_display = ["member_name", "appraisal", "submitted_at", "updated_at"]
    list_filter = ["appraisal__year"]
    search_fields = ["member__name"]
    list_select_related = ["member", "appraisal", "appraisal__organization"]
    ordering = ["-updated_at"]
    list_per_page = 100
    fields = ["appraisal", "member_name", "text", "submitted_at", "updated_at"]
    readonly_fields = fields

    def scope_queryset(self, request, qs):
        visible = permissions.filter_appraisals_visible_to(request.user)
        if not permissions.takes_part(request.user):
            return qs.none()
        return qs.filter(appraisal__in=visible.values("pk"))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.defer(*(f"member__{field}" for field in Member.ENCRYPTED_FIELDS))

    @admin.display(description="党员", ordering="member__name")
    def member_name(self, obj):
        return f"{obj.member.name}（{obj.member.id_number_masked}）"
