"""Staff pages (工作台 → 党费): who is behind, a member's ledger with the steps (category,
base, offline payment, correction, refund), bases to review, a branch's month and year
(Excel), totals per organisation, and the county's reconciliation. Host-organisation staff
get 403 (dues are not theirs to see)."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from members.views.access import StaffPageMixin
from sanyuan.errors import ServiceError
from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.forms import add_service_error
from sanyuan.keyset import page_links, request_page
from sanyuan.net import client_ip

from .. import months as m
from .. import permissions, selectors, services
from ..forms import (
    AccountForm,
    BaseSetForm,
    CorrectionForm,
    PaymentForm,
    RefundForm,
    ReviewForm,
)
from ..models import DuesBase, DuesEntry, DuesReceipt, DuesReconciliation
from ..services import exports


class DuesStaffPageMixin(StaffPageMixin):
    def check_tier(self, user) -> None:
        permissions.check_dues_staff(user)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename={name}.xlsx"
    return response


def _organization(request, *, required=False):
    raw = request.GET.get("organization", "")
    if not raw:
        if required:
            raise Http404
        return None
    if not raw.isdigit():
        raise Http404
    org = permissions.filter_organizations_for_totals(request.user).filter(pk=int(raw)).first()
    if org is None:
        raise Http404
    return org


def _int(value, default, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


class StaffDuesListView(DuesStaffPageMixin, View):
    """Members in scope with their dues standing; `behind` keeps those that many months
    behind; `export=xlsx` downloads the list."""

    def get(self, request):
        organization = _organization(request)
        behind = _int(request.GET.get("behind"), 0, 0, 120)
        if request.GET.get("export") == "xlsx":
            content = exports.standing_export(
                actor=request.user,
                organization=organization,
                behind_months=behind,
                ip=client_ip(request),
            )
            return _xlsx(content, "dues-standing")
        qs = selectors.standing_list(
            user=request.user, organization=organization, behind_months=behind
        )
        page = request_page(
            request, qs, fields=("organization_id", "id"), descending=False, page_size=50
        )
        rows = [(member, getattr(member, "dues_account", None)) for member in page.results]
        return render(
            request,
            "dues/staff/list.html",
            {
                "rows": [(mb, acct, selectors.months_behind(acct)) for mb, acct in rows],
                "links": page_links(request, page),
                "organization": organization,
                "behind": behind,
                "organizations": permissions.filter_organizations_for_totals(request.user).order_by(
                    "path"
                )[:300],
                "this_month": m.this_month(),
            },
        )


def _account(request, member, data):
    form = AccountForm(data)
    if form.is_valid():
        services.account_set(
            actor=request.user, member=member, ip=client_ip(request), **form.cleaned_data
        )
        return form, "党费类别已保存。"
    return form, None


def _base(request, member, data):
    form = BaseSetForm(data)
    if form.is_valid():
        services.base_set(
            actor=request.user,
            member=member,
            year=form.cleaned_data["year"],
            base_fen=form.cleaned_data["base"],
            ip=client_ip(request),
        )
        return form, "交纳基数已核定。"
    return form, None


def _payment(request, member, data):
    form = PaymentForm(data)
    if form.is_valid():
        receipt = services.payment_record(
            actor=request.user, member=member, ip=client_ip(request), **form.cleaned_data
        )
        return form, f"已登记交纳，收据号 {receipt.number}。"
    return form, None


def _correction(request, member, data):
    form = CorrectionForm(data)
    if form.is_valid():
        entry = DuesEntry.objects.filter(pk=form.cleaned_data["entry"], member=member).first()
        if entry is None:
            raise Http404
        services.correction_record(
            actor=request.user,
            entry=entry,
            amount_fen=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
        return form, "已记录更正。"
    return form, None


def _refund(request, member, data):
    form = RefundForm(data)
    if form.is_valid():
        receipt = DuesReceipt.objects.filter(pk=form.cleaned_data["receipt"], member=member).first()
        if receipt is None:
            raise Http404
        refund = services.refund_record(
            actor=request.user,
            receipt=receipt,
            note=form.cleaned_data["note"],
            ip=client_ip(request),
        )
        return form, "已退还。" if refund else "已向微信支付申请退款，退款成功后自动入账。"
    return form, None


ACTIONS = {
    "account": _account,
    "base": _base,
    "payment": _payment,
    "correction": _correction,
    "refund": _refund,
}


class StaffMemberDuesView(DuesStaffPageMixin, View):
    def get(self, request, pk, bound=None, status=200):
        member = selectors.dues_member_get(user=request.user, pk=pk)
        st = selectors.statement(member)
        forms = {
            "account": AccountForm(initial=_account_initial(st)),
            "base": BaseSetForm(initial={"year": timezone.localdate().year}),
            "payment": PaymentForm(
                initial={"months": max(st.months_owed, 1), "paid_on": timezone.localdate()}
            ),
        }
        if bound is not None:
            forms[bound[0]] = bound[1]
        return render(
            request,
            "dues/staff/member.html",
            {
                "member": member,
                "st": st,
                "entries": selectors.member_entries(member),
                "receipts": DuesReceipt.objects.filter(member=member).order_by("-paid_at")[:50],
                "bases": DuesBase.objects.filter(member=member),
                "forms": forms,
                "bound": bound[0] if bound else "",
            },
            status=status,
        )

    def post(self, request, pk):
        member = selectors.dues_member_get(user=request.user, pk=pk)
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "请选择要办理的事项。")
            return redirect("dues:staff-member", pk=pk)
        form = None
        try:
            form, done = action(request, member, request.POST)
        except ServiceError as exc:
            if form is None:
                messages.error(request, exc.message)
                return redirect("dues:staff-member", pk=pk)
            return self.get(
                request,
                pk,
                bound=(request.POST["action"], form),
                status=add_service_error(form, exc),
            )
        if done is None:
            return self.get(request, pk, bound=(request.POST["action"], form), status=400)
        messages.success(request, done)
        return redirect("dues:staff-member", pk=pk)


def _account_initial(st):
    if st.account is None:
        return {"starts_on": m.this_month()}
    return {
        "dues_category": st.account.dues_category,
        "fixed_fen": "" if st.account.fixed_fen is None else st.account.fixed_fen / 100,
        "decision_note": st.account.decision_note,
    }


class StaffBaseListView(DuesStaffPageMixin, View):
    def get(self, request):
        rows = list(selectors.pending_bases(user=request.user)[:200])
        return render(request, "dues/staff/bases.html", {"rows": rows})

    def post(self, request):
        form = ReviewForm(request.POST)
        base = (
            selectors.pending_bases(user=request.user)
            .filter(
                pk=request.POST.get("base", "")
                if str(request.POST.get("base", "")).isdigit()
                else 0
            )
            .first()
        )
        if base is None:
            raise Http404
        if not form.is_valid():
            messages.error(request, "请选择通过或退回。")
            return redirect("dues:staff-bases")
        try:
            services.base_review(
                actor=request.user,
                base=base,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("dues:staff-bases")
        messages.success(request, f"已审核{base.member.name}的{base.year}年交纳基数。")
        return redirect("dues:staff-bases")


class StaffLedgerView(DuesStaffPageMixin, View):
    """A branch's month (党费台账) and, with `year`, the year's summary; Excel with export."""

    def get(self, request):
        organization = _organization(request, required=True)
        today = timezone.localdate()
        year = _int(request.GET.get("year"), 0, 2000, today.year + 1)
        month = m.parse(request.GET.get("month")) or m.this_month()
        export = request.GET.get("export") == "xlsx"
        ip = client_ip(request)
        if year and export:
            content = exports.year_export(
                actor=request.user, organization=organization, year=year, ip=ip
            )
            return _xlsx(content, f"dues-{year}")
        if export:
            content = exports.ledger_export(
                actor=request.user, organization=organization, month=month, ip=ip
            )
            return _xlsx(content, f"dues-{month:%Y-%m}")
        rows = selectors.branch_ledger(user=request.user, organization=organization, month=month)
        return render(
            request,
            "dues/staff/ledger.html",
            {
                "organization": organization,
                "month": month,
                "rows": rows,
                "year": month.year,
                "month_value": f"{month:%Y-%m}",
            },
        )


class StaffTotalsView(DuesStaffPageMixin, View):
    """Totals per organisation below the chosen one (the county sees its committees),
    from DuesTotal only."""

    def get(self, request):
        parent = _organization(request)
        year = _int(request.GET.get("year"), timezone.localdate().year, 2000, 2100)
        rows = selectors.totals(
            user=request.user, parent=parent, start=date(year, 1, 1), end=date(year, 12, 1)
        )
        return render(
            request,
            "dues/staff/totals.html",
            {
                "rows": rows,
                "parent": parent,
                "year": year,
                "sum_due": sum(r[1] for r in rows),
                "sum_paid": sum(r[2] for r in rows),
            },
        )


class StaffReceiptView(DuesStaffPageMixin, View):
    def get(self, request, pk):
        receipt = selectors.receipt_get(user=request.user, pk=pk)
        return render(request, "dues/staff/receipt.html", {"receipt": receipt, "staff": True})


class StaffReconciliationView(DuesStaffPageMixin, View):
    def get(self, request):
        if not permissions.can_read_reconciliation(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("党费对账由县委组织部查看。")
        rows = DuesReconciliation.objects.all()[:90]
        return render(request, "dues/staff/reconciliation.html", {"rows": rows})
