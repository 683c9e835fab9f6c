"""Staff pages of the four knowns (四清楚): the dashboard, lost-contact alerts, temporary
branches, host-organisation arrivals and the support group."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from sanyuan.errors import ServiceError
from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip

from .. import permissions
from ..models import Region, Skill
from ..selectors.stats import CHARTS, ENGAGEMENT, overview_as_json, stats_overview
from ..services import alerts, branches, exports, hosting
from ..stats_dimensions import DIMENSION_TITLES
from .access import StaffPageMixin


class StaffDashboardView(StaffPageMixin, View):
    def get(self, request):
        overview = stats_overview(user=request.user)
        data = overview_as_json(overview)
        charts = [{"dimension": dim, **data["figures"][dim]} for dim in overview.shown(CHARTS)]
        engagement = [
            {"dimension": dim, **data["engagement"][dim]} for dim in overview.shown(ENGAGEMENT)
        ]
        return render(
            request,
            "members/staff/dashboard.html",
            {"overview": overview, "data": data, "charts": charts, "engagement": engagement},
        )


class StaffDashboardExportView(StaffPageMixin, View):
    """One figure as an Excel table (counts only, no personal data); logged like exports."""

    def get(self, request):
        dimension = request.GET.get("figure", "")
        trend = dimension == "mindset_trend"
        if (dimension not in DIMENSION_TITLES or dimension == "total") and not trend:
            raise Http404
        overview = stats_overview(user=request.user)
        if ("mindset" if trend else dimension) in overview.hidden:
            raise Http404
        if trend:
            content = exports.mindset_trend_export(
                actor=request.user, overview=overview, ip=client_ip(request)
            )
        else:
            content = exports.stats_figure_export(
                actor=request.user, overview=overview, dimension=dimension, ip=client_ip(request)
            )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename=stats-{dimension}.xlsx"
        return response


class StaffLostContactView(StaffPageMixin, View):
    def get(self, request):
        rows = alerts.lost_contact_list(user=request.user)[:500]
        return render(request, "members/staff/lost_contact.html", {"rows": rows})


class StaffTemporaryBranchView(StaffPageMixin, View):
    def get(self, request):
        return render(
            request,
            "members/staff/temporary_branches.html",
            {
                "suggestions": branches.temporary_branch_suggestions(user=request.user),
                "existing": branches.temporary_branch_list(user=request.user).select_related(
                    "parent", "temporary_rule__skill"
                )[:200],
                "proposals": branches.temporary_branch_proposals(user=request.user)[:300],
                "provinces": Region.objects.filter(level="province").order_by("code"),
                "skills": Skill.objects.order_by("name"),
            },
        )

    def post(self, request):
        try:
            if request.POST.get("action") == "create":
                branch = branches.temporary_branch_create(
                    staff=request.user, city=request.POST.get("city", "")
                )
                messages.success(request, f"已成立{branch.name}。")
            elif request.POST.get("action") == "dissolve":
                org = (
                    permissions.filter_organizations_visible_to(request.user)
                    .filter(pk=request.POST.get("branch") or 0)
                    .first()
                )
                if org is None:
                    raise Http404
                branches.temporary_branch_dissolve(staff=request.user, branch=org)
                messages.info(request, f"已撤销{org.name}，记录保留。")
            elif request.POST.get("action") == "proposal":
                decided = branches.temporary_branch_proposal_decide(
                    staff=request.user,
                    proposal_id=parse_int(request.POST.get("proposal"), 0),
                    accept=request.POST.get("decision") == "accept",
                )
                messages.success(request, f"已处理：{decided.get_kind_display()}。")
            elif request.POST.get("action") == "rule":
                org = (
                    permissions.filter_organizations_visible_to(request.user)
                    .filter(pk=parse_int(request.POST.get("branch"), 0))
                    .first()
                )
                if org is None:
                    raise Http404
                branches.temporary_branch_rule_set(
                    staff=request.user,
                    branch=org,
                    destination_province=request.POST.get("destination_province", "")[:6],
                    destination_city=request.POST.get("destination_city", "")[:6],
                    skill=request.POST.get("skill", "")[:30],
                    employer=request.POST.get("employer", "")[:200],
                )
                messages.success(request, f"已更新{org.name}的成员规则，成员变动请在下方确认。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("members:staff-temporary-branches")


class StaffHostingView(StaffPageMixin, View):
    """流入地: pending arrivals to accept or decline, and the members this organisation hosts."""

    def get(self, request):
        from .checkin import hosting_page_context

        return render(request, "members/staff/hosting.html", hosting_page_context(request.user))

    def post(self, request):
        hosting_id = request.POST.get("hosting", "")
        try:
            if not hosting_id.isdigit():
                raise ServiceError("参数无效。")
            if request.POST.get("decision") == "accept":
                hosting.hosting_accept(staff=request.user, hosting_id=int(hosting_id))
                messages.success(request, "已接收报到。")
            elif request.POST.get("decision") == "decline":
                hosting.hosting_decline(
                    staff=request.user,
                    hosting_id=int(hosting_id),
                    reason=request.POST.get("reason", ""),
                )
                messages.info(request, "已拒绝，并已告知流出地党组织。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("members:staff-hosting")


class StaffHostingArriveView(StaffPageMixin, View):
    """The page host staff reach by scanning a member's QR card."""

    def _hosts(self, request):
        return list(permissions.scope_of(request.user).host_grants)

    def get(self, request):
        token = request.GET.get("token", "")
        try:
            member = hosting.hosting_qr_member(token)
        except ServiceError as exc:
            return render(
                request, "members/staff/hosting_arrive.html", {"error": exc.message}, status=400
            )
        return render(
            request,
            "members/staff/hosting_arrive.html",
            {"member": member, "token": token, "hosts": self._hosts(request)},
        )

    def post(self, request):
        token = request.POST.get("token", "")
        host = next(
            (org for org in self._hosts(request) if str(org.pk) == request.POST.get("host")), None
        )
        if host is None:
            messages.error(request, "您不是流入地党组织的工作人员，不能登记报到。")
            return redirect("members:staff-home")
        try:
            done = hosting.hosting_arrive_by_qr(staff=request.user, token=token, host=host)
        except ServiceError as exc:
            return render(
                request,
                "members/staff/hosting_arrive.html",
                {"error": exc.message},
                status=exc.status_code,
            )
        messages.success(request, f"{done.member.name}已在{host.name}报到。")
        return redirect("members:staff-hosting")


class StaffSupportGroupView(StaffPageMixin, View):
    """后援团 members and 回馈标兵, filterable by skill and destination."""

    def get(self, request):
        from ..selectors import member_list

        which = request.GET.get("which", "support_group")
        skill = request.GET.get("skill", "")[:30]
        province = request.GET.get("destination_province", "")[:6]
        filters = {"skill": skill, "destination_province": province}
        if which == "pacesetter":
            filters["honour"] = "giving_back_pacesetter"
        else:
            filters["support_group"] = True
        rows = member_list(user=request.user, **filters).prefetch_related("skills")[:300]
        return render(
            request,
            "members/staff/support_group.html",
            {
                "rows": rows,
                "which": which,
                "skill": skill,
                "province": province,
                "skills": Skill.objects.order_by("name"),
                "provinces": Region.objects.filter(level="province").order_by("code"),
            },
        )
