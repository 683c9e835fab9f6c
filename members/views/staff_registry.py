"""Staff pages of the registry: archives, change-request review, contacts, import and export.

Thin: parse input, call a selector or service, render. Scope is the selectors' job."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from sanyuan import keyset
from sanyuan.errors import ServiceError
from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.net import client_ip

from .. import archive_fields, choices, forms, permissions, selectors
from ..filters import member_filters
from ..identity import is_full_identifier
from ..models import ChangeRequest, ContactLog, Region, Skill
from ..services import (
    accounts,
    archive,
    changes,
    contacts,
    export_jobs,
    exports,
    imports,
    sms_reach,
)
from .access import StaffPageMixin

PAGE_SIZE = 50


NO_LINKS = {"first": None, "previous": None, "next": None, "filters": ""}
FULL_IN_URL = "完整身份证号或手机号请在下方“按号码查找”中输入，不要放在筛选的搜索框里。"


class StaffMemberListView(StaffPageMixin, View):
    """档案: keyset pages (sanyuan.keyset), so deep pages cost what page 1 costs. A full ID
    number or phone is searched by POST (the form at #search-full), never in the URL."""

    def get(self, request):
        filters = member_filters(request.GET)
        if is_full_identifier(filters["q"]):
            messages.error(request, FULL_IN_URL)
            return self.render_list(request, filters, rows=[], links=NO_LINKS)
        qs = selectors.member_list(user=request.user, **filters).prefetch_related("skills")
        page = keyset.request_page(
            request, qs, fields=("id",), descending=True, page_size=PAGE_SIZE
        )
        links = keyset.page_links(request, page)
        return self.render_list(request, filters, rows=page.results, links=links)

    def post(self, request):
        """按号码查找: the term travels in the body; the first PAGE_SIZE archives in scope."""
        term = request.POST.get("full_q", "")[:40].strip()
        filters = member_filters({})
        rows = []
        if term:
            qs = selectors.member_list(user=request.user, q=term).prefetch_related("skills")
            rows = list(qs.order_by("-id")[:PAGE_SIZE])
        return self.render_list(
            request, filters, rows=rows, links=NO_LINKS, full_q_searched=bool(term)
        )

    def render_list(self, request, filters, *, rows, links, full_q_searched=False):
        return render(
            request,
            "members/staff/member_list.html",
            {
                "rows": rows,
                "full_q_searched": full_q_searched,
                "filters": filters,
                "links": links,
                "organizations": selectors.organization_list(user=request.user)[:500],
                "provinces": Region.objects.filter(level="province").order_by("code"),
                "cities": archive_fields.region_children(filters["destination_province"], "city")
                if filters["destination_province"]
                else [],
                "skills": Skill.objects.order_by("name"),
                "occupations": choices.Occupation.choices,
                "statuses": choices.MemberStatus.choices,
                "standings": choices.PartyStanding.choices,
            },
        )


class StaffMemberDetailView(StaffPageMixin, View):
    idempotency_exempt = True  # reveals ID numbers and issues one-time codes

    def get(self, request, pk, revealed=None, code=None, contact_form=None):
        member = selectors.member_detail_get(user=request.user, pk=pk)
        archive.member_record_view(actor=request.user, member=member, ip=client_ip(request))
        viewer = permissions.archive_viewer(request.user, member)
        return render(
            request,
            "members/staff/member_detail.html",
            {
                "member": member,
                "contacts": selectors.contact_log_list(user=request.user, member=member)[:20],
                "contact_form": contact_form
                or forms.ContactLogForm(
                    assess_mindset=permissions.can_assess_mindset(request.user, member)
                ),
                "history": selectors.member_history(member=member, viewer=viewer, limit=20),
                "revealed": revealed,
                "issued": code,
                "can_manage": permissions.can_manage_member(request.user, member),
                "visible": archive_fields.visible_fields(viewer),
                "may_assess_mindset": permissions.can_assess_mindset(request.user, member),
                "hosts": _host_organizations()
                if permissions.can_manage_member(request.user, member)
                else [],
                "hostings": member.hostings.select_related("host_organization")[:5],
            },
        )

    def post(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        action = request.POST.get("action")
        ip = client_ip(request)
        try:
            if action == "reveal":
                return self.get(
                    request,
                    pk,
                    revealed=archive.member_reveal_id_number(
                        actor=request.user, member=member, ip=ip
                    ),
                )
            if action == "issue_code":
                issued = accounts.one_time_code_issue(
                    staff=request.user, member=member, reason=request.POST.get("reason", ""), ip=ip
                )
                return self.get(request, pk, code=issued)
            if action == "host_request":
                from ..models import Organization
                from ..services.hosting import hosting_request

                host = Organization.objects.filter(
                    pk=request.POST.get("host") or 0, kind="host"
                ).first()
                hosting_request(staff=request.user, member=member, host=host)
                messages.success(request, "已登记流入地党组织，等待对方确认报到。")
                return redirect("members:staff-member", pk=pk)
            if action == "sms_opt_out":
                value = request.POST.get("value")
                if value not in ("0", "1"):
                    raise ServiceError("请选择退订或恢复通知短信。")
                sms_reach.member_sms_opt_out_set(
                    actor=request.user, member=member, opt_out=value == "1", ip=ip
                )
                messages.success(
                    request, "已退订通知短信。" if value == "1" else "已恢复通知短信。"
                )
                return redirect("members:staff-member", pk=pk)
            if action == "contact":
                form = forms.ContactLogForm(
                    request.POST,
                    assess_mindset=permissions.can_assess_mindset(request.user, member),
                )
                if not form.is_valid():
                    return self.get(request, pk, contact_form=form)
                contacts.contact_log_create(staff=request.user, member=member, **form.cleaned_data)
                messages.success(request, "联系记录已保存。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("members:staff-member", pk=pk)


def _host_organizations():
    from ..models import Organization

    return Organization.objects.filter(
        kind=Organization.Kind.HOST, dissolved_at__isnull=True
    ).order_by("path")[:300]


class StaffChangeRequestListView(StaffPageMixin, View):
    def get(self, request):
        wanted = request.GET.get("status", "pending")
        if wanted not in ChangeRequest.Status.values:
            wanted = "pending"
        page = Paginator(
            selectors.change_request_queue(user=request.user, status=wanted), 50
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "members/staff/change_request_list.html",
            {"page": page, "status": wanted, "statuses": ChangeRequest.Status.choices},
        )


class StaffChangeRequestDetailView(StaffPageMixin, View):
    def get(self, request, pk, form_errors=None):
        found = selectors.change_request_get_for_staff(user=request.user, pk=pk)
        return render(
            request,
            "members/staff/change_request_detail.html",
            {
                "request_obj": found,
                "diff": selectors.change_request_diff(found),
                "form_errors": form_errors,
            },
        )

    def post(self, request, pk):
        found = selectors.change_request_get_for_staff(user=request.user, pk=pk)
        decision = request.POST.get("decision")
        comment = request.POST.get("comment", "")
        try:
            if decision == "approve":
                changes.change_request_approve(
                    staff=request.user, change_request=found, comment=comment, ip=client_ip(request)
                )
                messages.success(request, "已通过，档案已更新，并已通知党员。")
            elif decision == "reject":
                changes.change_request_reject(
                    staff=request.user, change_request=found, comment=comment, ip=client_ip(request)
                )
                messages.success(request, "已驳回，并已通知党员。")
            else:
                return self.get(request, pk, form_errors="请选择通过或不通过。")
        except ServiceError as exc:
            return self.get(request, pk, form_errors=exc.message)
        return redirect("members:staff-change-requests")


class StaffContactsOverdueView(StaffPageMixin, View):
    def get(self, request):
        qs = selectors.member_list(user=request.user, contact_overdue=True).order_by(
            "last_contacted_at", "id"
        )
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "members/staff/contacts_overdue.html",
            {"page": page, "channels": ContactLog.Channel.choices},
        )


class StaffMemberExportView(StaffPageMixin, View):
    def get(self, request):
        filters = member_filters(request.GET)
        qs = selectors.member_list(user=request.user, **filters)
        if export_jobs.export_needs_job(qs):
            job = export_jobs.export_job_create(
                actor=request.user,
                kind="members.archive",
                title="流动党员名册",
                params={"filters": filters},
                ip=client_ip(request),
            )
            return redirect("members:staff-export", pk=job.pk)
        content = exports.member_export(
            actor=request.user, queryset=qs, filters=filters, ip=client_ip(request)
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E6%B5%81%E5%8A%A8%E5%85%9A%E5%91%98%E5%90%8D%E5%86%8C.xlsx"
        )
        return response


class StaffRosterUploadView(StaffPageMixin, View):
    template_name = "members/staff/roster_upload.html"

    def get(self, request):
        recent = imports.roster_list(actor=request.user)[:10]
        return render(
            request, self.template_name, {"form": forms.RosterUploadForm(), "recent": recent}
        )

    def post(self, request):
        form = forms.RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                roster = imports.roster_upload(
                    actor=request.user, uploaded_file=form.cleaned_data["file"]
                )
            except ServiceError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("members:staff-roster", pk=roster.pk)
        recent = imports.roster_list(actor=request.user)[:10]
        return render(request, self.template_name, {"form": form, "recent": recent}, status=400)


class StaffRosterDetailView(StaffPageMixin, View):
    def get(self, request, pk):
        roster = imports.roster_get(actor=request.user, pk=pk)
        return render(
            request,
            "members/staff/roster_detail.html",
            {
                "roster": roster,
                "progress": imports.roster_progress(roster),
                "errors": roster.errors_by_row(),
            },
        )

    def post(self, request, pk):
        roster = imports.roster_get(actor=request.user, pk=pk)
        try:
            if request.POST.get("action") == "import":
                imports.roster_confirm(actor=request.user, roster=roster)
                messages.success(request, "已开始导入有效行，错误行将被跳过。")
            elif request.POST.get("action") == "discard":
                imports.roster_discard(actor=request.user, roster=roster)
                messages.info(request, "已放弃本次导入，上传的文件已删除。")
                return redirect("members:staff-roster-upload")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("members:staff-roster", args=[pk]))
