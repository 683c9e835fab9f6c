"""Staff pages (staff/base.html): activities in scope with create, edit, publish, cancel;
materials; the attendance sheet with participation and its Excel export; the 三会一课
cadence report."""

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from members import permissions as member_permissions
from members.services.audit import audit_record
from members.views.access import StaffPageMixin
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip

from .. import exports, selectors, services
from ..forms import ActivityForm, CancelForm, MaterialForm, participation_entries
from ..models import Activity, Attendance

STAFF_PAGE = 30


def _int(value) -> int | None:
    return parse_int(value)


class StaffActivityListView(StaffPageMixin, View):
    def get(self, request):
        params = request.GET
        when = params.get("when") if params.get("when") in ("upcoming", "past") else None
        kind = params.get("kind") if params.get("kind") in Activity.Kind.values else None
        status = params.get("status") if params.get("status") in Activity.Status.values else None
        organization = _int(params.get("organization"))
        try:
            page = selectors.activity_page(
                user=request.user,
                when=when,
                cursor=params.get("cursor"),
                page_size=STAFF_PAGE,
                kind=kind,
                status=status,
                organization=organization,
            )
        except ServiceError:
            return redirect("activities:staff-list")
        query = params.copy()
        query.pop("cursor", None)
        return render(
            request,
            "activities/staff/activity_list.html",
            {
                "page": page,
                "query": query.urlencode(),
                "filters": {
                    "when": when,
                    "kind": kind,
                    "status": status,
                    "organization": organization,
                },
                "organizations": member_permissions.filter_organizations_visible_to(request.user)
                .exclude(kind__in=("province", "city"))
                .only("pk", "name", "depth")
                .order_by("path")[:500],
                "kinds": Activity.Kind.choices,
                "statuses": Activity.Status.choices,
            },
        )


class StaffActivityCreateView(StaffPageMixin, View):
    template_name = "activities/staff/activity_form.html"

    def get(self, request):
        initial = {}
        if _int(request.GET.get("organization")):
            initial["organization"] = _int(request.GET.get("organization"))
        form = ActivityForm(user=request.user, initial=initial)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ActivityForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                activity = services.activity_create(user=request.user, data=form.to_input())
                if "publish" in request.POST:
                    services.activity_publish(user=request.user, activity=activity)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    "活动已发布，已通知参加对象。"
                    if "publish" in request.POST
                    else "活动已保存（筹备中）。",
                )
                return redirect("activities:staff-detail", pk=activity.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class StaffActivityEditView(StaffPageMixin, View):
    template_name = "activities/staff/activity_form.html"

    def get(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        form = ActivityForm(user=request.user, initial=ActivityForm.initial_from(activity))
        return render(request, self.template_name, {"form": form, "activity": activity})

    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        form = ActivityForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.activity_update(user=request.user, activity=activity, data=form.to_input())
            except ServiceError as exc:
                if exc.status_code == 409:
                    messages.error(request, exc.message)
                    return redirect("activities:staff-detail", pk=activity.pk)
                add_service_error(form, exc)
            else:
                messages.success(request, "活动已更新。")
                return redirect("activities:staff-detail", pk=activity.pk)
        return render(request, self.template_name, {"form": form, "activity": activity}, status=400)


class StaffActivityDetailView(StaffPageMixin, View):
    def get(self, request, pk, material_form=None, cancel_form=None, status=200):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        return render(
            request,
            "activities/staff/activity_detail.html",
            {
                "activity": activity,
                "materials": activity.material_list,
                "counts": selectors.attendance_counts(activity),
                "material_form": material_form or MaterialForm(),
                "cancel_form": cancel_form or CancelForm(),
                "started": activity.starts_at <= timezone.now(),
            },
            status=status,
        )


class _TransitionView(StaffPageMixin, View):
    success = ""

    def act(self, request, activity):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        try:
            self.act(request, activity)
        except ServiceError as exc:
            if exc.field == "reason":
                form = CancelForm(request.POST)
                form.is_valid()
                form.add_error("reason", exc.message)
                return StaffActivityDetailView().get(request, pk, cancel_form=form, status=400)
            messages.error(request, exc.message)
        else:
            messages.success(request, self.success)
        return redirect("activities:staff-detail", pk=activity.pk)


class StaffActivityPublishView(_TransitionView):
    success = "活动已发布，已通知参加对象。"

    def act(self, request, activity):
        services.activity_publish(user=request.user, activity=activity)


class StaffActivityHeldView(_TransitionView):
    success = "已标记为已召开，可以登记参加情况、上传会议纪要。"

    def act(self, request, activity):
        services.activity_mark_held(user=request.user, activity=activity)


class StaffActivityCancelView(_TransitionView):
    success = "活动已取消。"

    def act(self, request, activity):
        services.activity_cancel(
            user=request.user, activity=activity, reason=request.POST.get("reason", "")
        )


class StaffMaterialAddView(StaffPageMixin, View):
    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.material_add(
                    user=request.user,
                    activity=activity,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data.get("file"),
                )
            except ServiceError as exc:
                if exc.status_code == 409:
                    messages.error(request, exc.message)
                    return redirect("activities:staff-detail", pk=activity.pk)
                add_service_error(form, exc)
            else:
                messages.success(request, "资料已添加，参加对象可在活动页面查看。")
                return redirect("activities:staff-detail", pk=activity.pk)
        return StaffActivityDetailView().get(request, pk, material_form=form, status=400)


class StaffMaterialDeleteView(StaffPageMixin, View):
    def post(self, request, pk):
        material = selectors.material_get(user=request.user, pk=pk)
        services.material_delete(user=request.user, material=material)
        messages.success(request, "资料已删除。")
        return redirect("activities:staff-detail", pk=material.activity_id)


class StaffAttendanceSheetView(StaffPageMixin, View):
    template_name = "activities/staff/attendance_sheet.html"

    def get(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        sheet = selectors.attendance_sheet(
            user=request.user,
            activity=activity,
            show=request.GET.get("show", "all"),
            page=request.GET.get("page", 1),
        )
        return render(
            request,
            self.template_name,
            {
                "activity": activity,
                "sheet": sheet,
                "shows": selectors.SHOW_CHOICES,
                "participations": Attendance.Participation.choices,
                "replies": Attendance.Status.choices,
                "can_record": activity.status != Activity.Status.CANCELLED
                and activity.starts_at <= timezone.now(),
                # Replies are taken until the activity ends (as from members themselves).
                "can_reply_for": activity.status == Activity.Status.PUBLISHED
                and activity.ends_at > timezone.now(),
            },
        )

    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        try:
            changed = services.participation_record(
                user=request.user, activity=activity, entries=participation_entries(request.POST)
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"参加情况已保存（{changed}人有变化）。")
        return _back_to_sheet(request, activity)


def _back_to_sheet(request, activity):
    """Back to the sheet at the same filter and page (only those two, validated)."""
    back = QueryDict(request.POST.get("back", ""))
    query = QueryDict(mutable=True)
    if back.get("show") in selectors.SHOW_CHOICES:
        query["show"] = back["show"]
    if parse_int(back.get("page")) is not None:
        query["page"] = back["page"]
    url = reverse("activities:staff-attendance", args=[activity.pk])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


class StaffAttendanceReplyView(StaffPageMixin, View):
    """代为登记: staff record the reply of an invitee without an account."""

    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        try:
            row = services.attendance_reply_for_member(
                user=request.user,
                activity=activity,
                member_id=request.POST.get("member", ""),
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"已为{row.member.name}登记回复：{row.get_status_display()}。"
            )
        return _back_to_sheet(request, activity)


class StaffAttendanceExportView(StaffPageMixin, View):
    def get(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        content, filename = exports.attendance_workbook(user=request.user, activity=activity)
        audit_record(
            actor=request.user,
            action="activity.attendance_export",
            target=activity,
            ip=client_ip(request),
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = exports.attachment_header(filename)
        return response


class StaffCadenceView(StaffPageMixin, View):
    def get(self, request):
        today = timezone.localdate()
        year = _int(request.GET.get("year")) or today.year
        year = year if 2000 <= year <= today.year + 1 else today.year
        organization = _int(request.GET.get("organization"))
        report = selectors.cadence_report(user=request.user, year=year, organization=organization)
        return render(
            request,
            "activities/staff/cadence.html",
            {
                "report": report,
                "years": range(today.year, today.year - 4, -1),
                "organization": organization,
                "committees": member_permissions.filter_organizations_visible_to(request.user)
                .filter(kind__in=("committee", "general_branch"))
                .order_by("path")[:300],
            },
        )
