"""Staff pages (staff/base.html): family support cases, the support group's members and
contributions, campaigns and 回馈标兵, and the figures as Excel. Home staff only: host-
organisation staff get 403 (cases and amounts are sensitive), members 403."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from members.models import Member
from members.permissions import filter_members_managed_by
from members.views.access import StaffPageMixin
from sanyuan.errors import ServiceError
from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.forms import add_service_error
from sanyuan.keyset import keyset_page, page_links
from sanyuan.net import client_ip

from .. import permissions, selectors, services
from ..forms import CampaignForm, DecideForm, OpenCaseForm, PacesetterForm, StepForm
from ..models import Contribution, SupportGroupMembership

PAGE_SIZE = 30
CASE_FILTERS = [
    ("open", "办理中"),
    ("requested", "党员申请待受理"),
    ("stale", "30天以上无进展"),
    ("closed", "已办结"),
    ("all", "全部"),
]


class HometownStaffPageMixin(StaffPageMixin):
    def check_tier(self, user) -> None:
        permissions.check_hometown_staff(user)


def _page(request, qs):
    try:
        page = keyset_page(
            qs,
            fields=("id",),
            descending=True,
            cursor=request.GET.get("cursor"),
            page_size=PAGE_SIZE,
        )
    except ServiceError as exc:
        raise Http404 from exc
    return page, page_links(request, page)


class StaffCaseListView(HometownStaffPageMixin, View):
    def get(self, request):
        which = request.GET.get("which", "open")
        if which not in dict(CASE_FILTERS):
            which = "open"
        page, links = _page(request, selectors.support_case_list(user=request.user, which=which))
        return render(
            request,
            "hometown/staff/case_list.html",
            {
                "page": page,
                "links": links,
                "which": which,
                "filters": CASE_FILTERS,
                "figures": selectors.support_case_figures(user=request.user),
            },
        )


def _member_in_scope(user, pk) -> Member:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    member = filter_members_managed_by(user).select_related("organization").filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


class StaffCaseOpenView(HometownStaffPageMixin, View):
    def get(self, request, form=None, status=200):
        member = _member_in_scope(request.user, request.GET.get("member"))
        return render(
            request,
            "hometown/staff/case_open.html",
            {"member": member, "form": form or OpenCaseForm()},
            status=status,
        )

    def post(self, request):
        member = _member_in_scope(request.user, request.GET.get("member"))
        form = OpenCaseForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            case = services.support_case_open(
                actor=request.user, member=member, **form.cleaned_data
            )
        except ServiceError as exc:
            return self.get(request, form=form, status=add_service_error(form, exc))
        messages.success(request, "已立案。")
        return redirect("hometown:staff-case", pk=case.pk)


class StaffCaseDetailView(HometownStaffPageMixin, View):
    def get(self, request, pk, form=None, status=200):
        case = selectors.support_case_get(user=request.user, pk=pk)
        return render(
            request,
            "hometown/staff/case_detail.html",
            {"case": case, "form": form or StepForm(initial={"helper": case.helper})},
            status=status,
        )

    def post(self, request, pk):
        case = selectors.support_case_get(user=request.user, pk=pk)
        form = StepForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=400)
        try:
            services.support_case_step_add(actor=request.user, case=case, **form.cleaned_data)
        except ServiceError as exc:
            if exc.status_code == 409:
                messages.error(request, exc.message)
                return redirect("hometown:staff-case", pk=pk)
            return self.get(request, pk, form=form, status=add_service_error(form, exc))
        messages.success(request, "已办结。" if form.cleaned_data["close"] else "已记录进展。")
        return redirect("hometown:staff-case", pk=pk)


class StaffMembershipListView(HometownStaffPageMixin, View):
    def get(self, request):
        offer = request.GET.get("offer", "")
        if offer not in SupportGroupMembership.Offer.values:
            offer = ""
        page, links = _page(request, selectors.membership_list(user=request.user, offer=offer))
        return render(
            request,
            "hometown/staff/membership_list.html",
            {
                "page": page,
                "links": links,
                "offer": offer,
                "offers": SupportGroupMembership.Offer.choices,
                "figures": selectors.support_group_figures(user=request.user),
            },
        )


class StaffContributionListView(HometownStaffPageMixin, View):
    def get(self, request):
        status = request.GET.get("status", "")
        status = status if status in Contribution.Status.values else ""
        kind = request.GET.get("kind", "")
        kind = kind if kind in Contribution.Kind.values else ""
        rows = selectors.contribution_list(user=request.user, status=status, kind=kind)
        page, links = _page(request, rows)
        return render(
            request,
            "hometown/staff/contribution_list.html",
            {
                "page": page,
                "links": links,
                "status": status,
                "kind": kind,
                "statuses": Contribution.Status.choices,
                "kinds": Contribution.Kind.choices,
                "form": DecideForm(),
                "figures": selectors.support_group_figures(user=request.user),
            },
        )

    def post(self, request):
        contribution = selectors.contribution_get(user=request.user, pk=request.POST.get("pk"))
        form = DecideForm(request.POST)
        form.is_valid()
        try:
            services.contribution_decide(
                actor=request.user,
                contribution=contribution,
                confirm=request.POST.get("decision") == "confirm",
                reason=form.cleaned_data.get("reason", ""),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已处理。")
        return redirect(f"{request.path}?status=recorded")


class StaffCampaignListView(HometownStaffPageMixin, View):
    def get(self, request, form=None, status=200):
        return render(
            request,
            "hometown/staff/campaign_list.html",
            {
                "campaigns": selectors.campaign_list(user=request.user),
                "can_publish": permissions.can_manage_campaigns(request.user),
                "form": form or CampaignForm(),
            },
            status=status,
        )

    def post(self, request):
        form = CampaignForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            campaign = services.campaign_publish(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            return self.get(request, form=form, status=add_service_error(form, exc))
        messages.success(request, f"已发布{campaign.title}。")
        return redirect("hometown:staff-campaign", year=campaign.year)


class StaffCampaignDetailView(HometownStaffPageMixin, View):
    """The year's candidates from confirmed contributions; the county names 回馈标兵 and
    publishes them as 优秀典型 in one step."""

    def get(self, request, year, form=None, status=200):
        campaign = selectors.campaign_get(user=request.user, year=year)
        return render(
            request,
            "hometown/staff/campaign_detail.html",
            {
                "campaign": campaign,
                "candidates": selectors.pacesetter_candidates(user=request.user, campaign=campaign),
                "pacesetters": selectors.pacesetter_list(user=request.user, campaign=campaign),
                "can_name": permissions.can_manage_campaigns(request.user),
                "form": form or PacesetterForm(),
            },
            status=status,
        )

    def post(self, request, year):
        campaign = selectors.campaign_get(user=request.user, year=year)
        form = PacesetterForm(request.POST)
        if not form.is_valid():
            return self.get(request, year, form=form, status=400)
        member = _member_in_scope(request.user, form.cleaned_data["member"])
        try:
            services.pacesetter_name(
                actor=request.user,
                campaign=campaign,
                member=member,
                citation=form.cleaned_data["citation"],
            )
        except ServiceError as exc:
            return self.get(request, year, form=form, status=add_service_error(form, exc))
        messages.success(request, f"已将{member.name}评为回馈标兵，并发布优秀典型文章。")
        return redirect("hometown:staff-campaign", year=campaign.year)


class StaffHometownExportView(HometownStaffPageMixin, View):
    """The dashboard's hometown figures as Excel, counted by the same selectors."""

    def get(self, request):
        content = services.hometown_figures_export(actor=request.user, ip=client_ip(request))
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = "attachment; filename=hometown-figures.xlsx"
        return response
