"""Staff pages (staff/base.html): transfers in scope, the steps, starting a transfer inside
or out of the county, registering an incoming member, and the transfer candidates. The
printable letter is in views/printing.py."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views import View

from members.archive_fields import region_names
from members.models import Organization
from members.views.access import StaffPageMixin
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.forms import add_service_error

from .. import permissions, selectors, services
from ..forms import (
    ApproveForm,
    DestinationForm,
    IncomingForm,
    LetterForm,
    PrepareForm,
    ReceiptForm,
    RejectForm,
    WithdrawForm,
)
from ..models import Transfer

PAGE_SIZE = 30
FILTER_STATUSES = [("open", "办理中"), ("overdue", "介绍信逾期未回执"), *Transfer.Status.choices]


class TransferStaffPageMixin(StaffPageMixin):
    """Home staff of any tier; host-organisation staff and members get 403."""

    def check_tier(self, user) -> None:
        permissions.check_transfer_staff(user)


class StaffTransferListView(TransferStaffPageMixin, View):
    def get(self, request):
        params = request.GET
        status = params.get("status") if params.get("status") in dict(FILTER_STATUSES) else None
        kind = params.get("kind") if params.get("kind") in Transfer.Kind.values else None
        rows = selectors.transfer_list(user=request.user, status=status, kind=kind)
        page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        return render(
            request,
            "transfers/staff/transfer_list.html",
            {
                "page": page,
                "query": query.urlencode(),
                "filters": {"status": status, "kind": kind},
                "statuses": FILTER_STATUSES,
                "kinds": Transfer.Kind.choices,
                "figures": selectors.figures(user=request.user),
            },
        )


def _approve(request, transfer, data):
    services.transfer_approve(actor=request.user, transfer=transfer, comment=data["comment"])
    return "已同意转出，已通知接收方党组织。"


def _reject(request, transfer, data):
    services.transfer_reject(actor=request.user, transfer=transfer, reason=data["reason"])
    return "已退回，已通知党员。"


def _accept(request, transfer, data):
    services.transfer_accept(actor=request.user, transfer=transfer)
    return "已接收，党员档案已转入本组织。"


def _withdraw(request, transfer, data):
    services.transfer_withdraw(actor=request.user, transfer=transfer, reason=data["reason"])
    return "已撤回。"


def _issue(request, transfer, data):
    letter = services.letter_issue(
        actor=request.user,
        transfer=transfer,
        number=data["number"],
        validity_days=data["validity_days"],
        dues_paid_until=data["dues_paid_until"],
    )
    return f"介绍信第{letter.number}号已开具，可以打印。"


def _receipt(request, transfer, data):
    services.receipt_record(
        actor=request.user,
        transfer=transfer,
        reported_on=data["reported_on"],
        from_name=data["from_name"],
        note=data["note"],
    )
    return "回执已登记，党员组织关系已转出。"


STEP_FORMS = {
    permissions.APPROVE: (ApproveForm, _approve),
    permissions.REJECT: (RejectForm, _reject),
    permissions.ACCEPT: (None, _accept),
    permissions.WITHDRAW: (WithdrawForm, _withdraw),
    permissions.ISSUE_LETTER: (LetterForm, _issue),
    permissions.RECORD_RECEIPT: (ReceiptForm, _receipt),
}


class StaffTransferDetailView(TransferStaffPageMixin, View):
    def get(self, request, pk, bound=None, status=200):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        steps = permissions.allowed_steps(request.user, transfer)
        forms = {}
        for step in steps:
            if step not in STEP_FORMS:
                continue
            form_class = STEP_FORMS[step][0]
            if bound is not None and bound[0] == step:
                forms[step] = bound[1]
            else:
                forms[step] = form_class() if form_class else None
        return render(
            request,
            "transfers/staff/transfer_detail.html",
            {
                "transfer": transfer,
                "letter": selectors.letter_in_force(transfer),
                "overdue": selectors.receipt_overdue(transfer),
                "steps": steps,
                "forms": forms,
            },
            status=status,
        )

    def post(self, request, pk):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        step = request.POST.get("step")
        if step not in STEP_FORMS:
            messages.error(request, "未知的办理步骤。")
            return redirect("transfers:staff-detail", pk=pk)
        try:  # a step already taken: say so, whatever the form holds
            permissions.check_step(request.user, transfer, step)
        except StateConflict as exc:
            messages.error(request, exc.message)
            return redirect("transfers:staff-detail", pk=pk)
        form_class, action = STEP_FORMS[step]
        form = form_class(request.POST) if form_class else None
        if form is not None and not form.is_valid():
            return self.get(request, pk, bound=(step, form), status=400)
        try:
            done = action(request, transfer, form.cleaned_data if form else {})
        except ServiceError as exc:
            if exc.status_code == 409 or form is None:
                messages.error(request, exc.message)
                return redirect("transfers:staff-detail", pk=pk)
            code = add_service_error(form, exc)
            return self.get(request, pk, bound=(step, form), status=code)
        messages.success(request, done)
        return redirect("transfers:staff-detail", pk=pk)


class StaffTransferRequestView(TransferStaffPageMixin, View):
    """Inside the county, started by staff for a member they keep."""

    template_name = "transfers/staff/transfer_request.html"

    def _page(self, request, member, form, status=200):
        return render(request, self.template_name, {"member": member, "form": form}, status=status)

    def get(self, request):
        member = selectors.home_member_get(user=request.user, pk=request.GET.get("member"))
        destinations = selectors.destination_list(member=member)
        return self._page(request, member, DestinationForm(destinations=destinations))

    def post(self, request):
        member = selectors.home_member_get(user=request.user, pk=request.GET.get("member"))
        form = DestinationForm(request.POST, destinations=selectors.destination_list(member=member))
        if not form.is_valid():
            return self._page(request, member, form, status=400)
        try:
            transfer = services.transfer_request(
                actor=request.user,
                member=member,
                to_organization=Organization.objects.filter(
                    pk=form.cleaned_data["to_organization"]
                ).first(),
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            return self._page(request, member, form, status=add_service_error(form, exc))
        messages.success(request, "已提出县内转接申请。")
        return redirect("transfers:staff-detail", pk=transfer.pk)


class StaffTransferPrepareView(TransferStaffPageMixin, View):
    """Out of the county: the member's home staff prepare; the county tier issues."""

    template_name = "transfers/staff/transfer_prepare.html"

    def _page(self, request, member, form, status=200):
        return render(request, self.template_name, {"member": member, "form": form}, status=status)

    def get(self, request):
        member = selectors.home_member_get(user=request.user, pk=request.GET.get("member"))
        return self._page(request, member, PrepareForm())

    def post(self, request):
        member = selectors.home_member_get(user=request.user, pk=request.GET.get("member"))
        form = PrepareForm(request.POST)
        if not form.is_valid():
            return self._page(request, member, form, status=400)
        try:
            transfer = services.transfer_prepare(
                actor=request.user, member=member, **form.cleaned_data
            )
        except ServiceError as exc:
            return self._page(request, member, form, status=add_service_error(form, exc))
        messages.success(request, "已提交，等待县委组织部开具介绍信。")
        return redirect("transfers:staff-detail", pk=transfer.pk)


class StaffIncomingRegisterView(TransferStaffPageMixin, View):
    template_name = "transfers/staff/incoming_form.html"

    def _form(self, request, data=None):
        organizations = selectors.registrable_organizations(user=request.user)
        return IncomingForm(data, organizations=organizations)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(request)})

    def post(self, request):
        form = self._form(request, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        values = form.values()
        values["organization"] = Organization.objects.filter(pk=values["organization"]).first()
        try:
            transfer = services.incoming_register(actor=request.user, **values)
        except ServiceError as exc:
            code = add_service_error(form, exc)
            return render(request, self.template_name, {"form": form}, status=code)
        messages.success(request, "已登记转入，党员档案已建立；党员可自行激活账号。")
        return redirect("transfers:staff-detail", pk=transfer.pk)


class StaffCandidateListView(TransferStaffPageMixin, View):
    """Members away at one fixed place for six months or more: their membership should move
    to where they live and work (the rule is in transfers.selectors.candidates_q)."""

    def get(self, request):
        rows = selectors.candidate_list(user=request.user)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        members = list(page.object_list)
        since = selectors.city_since(members)
        names = region_names()
        return render(
            request,
            "transfers/staff/candidates.html",
            {
                "page": page,
                "rows": [
                    (member, since.get(member.pk), names.get(member.destination_city, ""))
                    for member in members
                ],
                "months": selectors.CANDIDATE_MONTHS,
                "cutoff": selectors.candidate_cutoff(),
            },
        )
