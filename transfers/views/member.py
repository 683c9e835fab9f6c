"""The member's pages (我的 → 组织关系转接): their transfers, asking to move inside the
county, withdrawing a request not yet accepted."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from members.models import Organization
from members.permissions import member_of
from members.views.access import MemberPageMixin
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error

from .. import permissions, selectors, services
from ..forms import DestinationForm, WithdrawForm


class MyTransferListView(MemberPageMixin, View):
    template_name = "transfers/my_transfers.html"

    def get(self, request, form=None, status=200):
        member = member_of(request.user)
        transfers = list(selectors.my_transfers(member=member))
        destinations = list(selectors.destination_list(member=member))
        return render(
            request,
            self.template_name,
            {
                "member": member,
                "transfers": transfers,
                "has_open": any(t.is_open for t in transfers),
                "form": form or DestinationForm(destinations=destinations),
                "can_request": member.status in permissions.MOVABLE_STATUSES,
            },
            status=status,
        )

    def post(self, request):
        member = member_of(request.user)
        destinations = list(selectors.destination_list(member=member))
        form = DestinationForm(request.POST, destinations=destinations)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
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
            if exc.status_code == 409:
                messages.error(request, exc.message)
                return redirect("transfers:mine")
            return self.get(request, form=form, status=add_service_error(form, exc))
        messages.success(request, "申请已提交，等待转出党组织审批。")
        return redirect("transfers:my-detail", pk=transfer.pk)


class MyTransferDetailView(MemberPageMixin, View):
    def get(self, request, pk, form=None, status=200):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        return render(
            request,
            "transfers/my_transfer.html",
            {
                "transfer": transfer,
                "letter": selectors.letter_in_force(transfer),
                "can_withdraw": permissions.can_take_step(
                    request.user, transfer, permissions.WITHDRAW
                ),
                "form": form or WithdrawForm(),
            },
            status=status,
        )

    def post(self, request, pk):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=400)
        try:
            services.transfer_withdraw(
                actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            if exc.status_code == 409:
                messages.error(request, exc.message)
                return redirect("transfers:my-detail", pk=pk)
            return self.get(request, pk, form=form, status=add_service_error(form, exc))
        messages.success(request, "申请已撤回。")
        return redirect("transfers:my-detail", pk=pk)
