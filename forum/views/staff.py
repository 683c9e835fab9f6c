"""Staff pages: the queue of unanswered requests (with reply-time figures), reports, and
reflections to read. All scoped to the staff user's organisations."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from members.views.access import StaffPageMixin
from sanyuan.errors import ServiceError
from sanyuan.net import client_ip

from .. import forms, selectors, services
from ..models import PostReport

PAGE_SIZE = 30


class StaffQueueView(StaffPageMixin, View):
    """论坛待回复: requests and suggestions without an official reply, oldest first."""

    def get(self, request):
        kind = request.GET.get("kind", "")
        kind = kind if kind in ("request", "suggestion") else ""
        try:
            page = selectors.unanswered_queue(
                user=request.user,
                kind=kind or None,
                cursor=request.GET.get("cursor"),
                page_size=PAGE_SIZE,
            )
        except ServiceError:
            return redirect("forum:staff-queue")
        return render(
            request,
            "forum/staff_queue.html",
            {
                "page": page,
                "kind": kind,
                "stats": selectors.official_reply_stats(user=request.user),
                "open_reports": selectors.report_list(user=request.user, page_size=1).results,
            },
        )


class StaffReportsView(StaffPageMixin, View):
    def get(self, request):
        status = request.GET.get("status", PostReport.Status.OPEN)
        status = status if status in PostReport.Status.values else PostReport.Status.OPEN
        try:
            page = selectors.report_list(
                user=request.user,
                status=status,
                cursor=request.GET.get("cursor"),
                page_size=PAGE_SIZE,
            )
        except ServiceError:
            return redirect("forum:staff-reports")
        return render(
            request,
            "forum/staff_reports.html",
            {
                "page": page,
                "status": status,
                "statuses": PostReport.Status.choices,
                "form": forms.ReportResolveForm(),
            },
        )


class StaffReportResolveView(StaffPageMixin, View):
    def post(self, request, pk):
        report = selectors.report_get(user=request.user, pk=pk)
        form = forms.ReportResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择处理结果。")
            return redirect("forum:staff-reports")
        try:
            services.report_resolve(
                user=request.user, report=report, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "举报已处理。")
        return redirect("forum:staff-reports")


class StaffReflectionsView(StaffPageMixin, View):
    """学习心得待阅: reflections of the members in scope that no staff member has read yet."""

    def get(self, request):
        unread_only = request.GET.get("all") != "1"
        try:
            page = selectors.reflections_to_read(
                user=request.user,
                unread_only=unread_only,
                cursor=request.GET.get("cursor"),
                page_size=PAGE_SIZE,
            )
        except ServiceError:
            return redirect("forum:staff-reflections")
        return render(
            request,
            "forum/staff_reflections.html",
            {"page": page, "unread_only": unread_only},
        )
