"""Staff pages (staff/base.html): rounds in scope, opening a round, a round's participants
with their self-assessments, the tallies once the ballot is closed, the final ratings and
their approval, the paper tally and the Excel export."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from members.models import Organization
from members.permissions import filter_organizations_visible_to
from members.views.access import StaffPageMixin
from sanyuan import keyset
from sanyuan.errors import ServiceError
from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.forms import add_service_error
from sanyuan.net import client_ip

from .. import permissions, selectors, services
from ..forms import NoteForm, OpenForm, RatingForm
from ..models import Appraisal, Rating


class AppraisalStaffPageMixin(StaffPageMixin):
    """Home staff of any tier; host-organisation staff and members get 403."""

    def check_tier(self, user) -> None:
        permissions.check_appraisal_staff(user)


class StaffAppraisalListView(AppraisalStaffPageMixin, View):
    def get(self, request):
        state = request.GET.get("state")
        state = state if state in ("open", "finished") else None
        qs = selectors.appraisal_list(user=request.user, state=state)
        page = keyset.request_page(request, qs, fields=("id",), descending=True, page_size=50)
        for row in page.results:
            row.stage = permissions.stage_label(row)
        return render(
            request,
            "appraisals/staff/appraisal_list.html",
            {
                "appraisals": page.results,
                "state": state,
                "links": keyset.page_links(request, page),
                "figures": selectors.figures(user=request.user),
            },
        )


def _organizations(user) -> list[Organization]:
    return list(
        filter_organizations_visible_to(user)
        .filter(kind__in=Appraisal.ORGANIZATION_KINDS, dissolved_at__isnull=True)
        .only("pk", "name", "kind", "path")
        .order_by("path")[:2000]
    )


class StaffAppraisalOpenView(AppraisalStaffPageMixin, View):
    def get(self, request, form=None, status=200):
        form = form or OpenForm(
            organizations=_organizations(request.user),
            initial={"year": timezone.localdate().year},
        )
        return render(
            request, "appraisals/staff/appraisal_open.html", {"form": form}, status=status
        )

    def post(self, request):
        form = OpenForm(request.POST, organizations=_organizations(request.user))
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        data = dict(form.cleaned_data)
        data["organization"] = Organization.objects.filter(pk=data["organization"]).first()
        try:
            appraisal = services.appraisal_open(actor=request.user, ip=client_ip(request), **data)
        except ServiceError as exc:
            return self.get(request, form=form, status=add_service_error(form, exc))
        messages.success(request, "民主评议已发起，已通知参评党员。")
        return redirect("appraisals:staff-detail", pk=appraisal.pk)


def _close(request, appraisal, post):
    services.ballot_close(actor=request.user, appraisal=appraisal, ip=client_ip(request))
    return "民主测评已结束，可以查看计票结果。"


def _finish(request, appraisal, post):
    services.appraisal_finish(actor=request.user, appraisal=appraisal, ip=client_ip(request))
    return "本轮民主评议已完成。"


def _rate(request, appraisal, post):
    form = RatingForm(post)
    if not form.is_valid():
        raise ServiceError(_first_error(form))
    participant = services.rating_record(
        actor=request.user, appraisal=appraisal, ip=client_ip(request), **form.cleaned_data
    )
    if participant.decision == participant.Decision.PENDING_APPROVAL:
        return f"已评定{participant.member.name}为不合格，报上级党委审批后生效。"
    return (
        f"已评定{participant.member.name}为{participant.get_final_rating_display()}，已通知本人。"
    )


def _decide(approve):
    def act(request, appraisal, post):
        form = NoteForm(post)
        if not form.is_valid():
            raise ServiceError(_first_error(form))
        service = services.rating_approve if approve else services.rating_reject
        participant = service(
            actor=request.user,
            appraisal=appraisal,
            member=form.cleaned_data["member"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
        if approve:
            return f"已同意将{participant.member.name}评定为不合格。"
        return f"已退回{participant.member.name}的不合格评定，请支部重新评定。"

    return act


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "输入有误。"


ACTIONS = {
    "close_ballot": _close,
    "finish": _finish,
    "rate": _rate,
    "approve": _decide(True),
    "reject": _decide(False),
}


class StaffAppraisalDetailView(AppraisalStaffPageMixin, View):
    def get(self, request, pk, status=200):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        permissions.check_manage_appraisal_permission(request.user, appraisal)
        rows = selectors.participant_rows(appraisal)
        readable = permissions.can_read_tallies(request.user, appraisal)
        tallies = selectors.tallies_for(appraisal) if readable else {}
        for row in rows:
            counts = tallies.get(row.member_id, {})
            row.totals = [counts.get(r, {}).get("total", 0) for r in Rating.values]
            row.can_approve = row.decision == row.Decision.PENDING_APPROVAL and (
                permissions.can_approve_rating(request.user, appraisal, row.rated_by_id)
            )
        return render(
            request,
            "appraisals/staff/appraisal_detail.html",
            {
                "appraisal": appraisal,
                "stage": permissions.stage_label(appraisal),
                "rows": rows,
                "voted": selectors.voted_count(appraisal),
                "tallies_readable": readable,
                "ballot_open": permissions.ballot_open(appraisal),
                "ratings": Rating.choices,
                "rating_labels": Rating.labels,
            },
            status=status,
        )

    def post(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "未知的操作。")
            return self.get(request, pk, status=400)
        try:
            message = action(request, appraisal, request.POST)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self.get(request, pk, status=exc.status_code)
        messages.success(request, message)
        return redirect("appraisals:staff-detail", pk=pk)


class StaffPaperTallyView(AppraisalStaffPageMixin, View):
    """The branch's paper ballots as totals: a number per member and rating."""

    def get(self, request, pk, errors=None, values=None, status=200):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        permissions.check_manage_appraisal_permission(request.user, appraisal)
        existing = selectors.paper_counts(appraisal)
        rows = []
        for row in selectors.participant_rows(appraisal):
            cells = []
            for rating, label in Rating.choices:
                name = f"count-{row.member_id}-{rating}"
                value = values.get(name, "") if values else existing.get((row.member_id, rating), 0)
                cells.append({"name": name, "label": f"{row.member.name}：{label}", "value": value})
            rows.append({"member": row.member, "cells": cells})
        return render(
            request,
            "appraisals/staff/paper_tally.html",
            {
                "appraisal": appraisal,
                "rows": rows,
                "ratings": Rating.labels,
                "closed": permissions.ballot_closed(appraisal),
                "paper_ballots": values.get("paper_ballots") if values else appraisal.paper_ballots,
                "errors": errors or [],
            },
            status=status,
        )

    def post(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        counts = []
        for key, value in request.POST.items():
            if key.startswith("count-") and str(value).strip() not in ("", "0"):
                _, member, rating = [*key.split("-", 2), "", ""][:3]
                counts.append({"member": member, "rating": rating, "count": value})
        try:
            services.paper_tally_record(
                actor=request.user,
                appraisal=appraisal,
                paper_ballots=request.POST.get("paper_ballots"),
                counts=counts,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            return self.get(
                request, pk, errors=[exc.message], values=request.POST, status=exc.status_code
            )
        messages.success(request, "纸质票计票已保存。")
        return redirect("appraisals:staff-detail", pk=pk)


class StaffAppraisalExportView(AppraisalStaffPageMixin, View):
    def get(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        content = services.appraisal_export(
            actor=request.user, appraisal=appraisal, ip=client_ip(request)
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename=appraisal-{appraisal.year}-{appraisal.pk}.xlsx"
        )
        return response
