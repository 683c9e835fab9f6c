"""The printable A4 pages: the three-part letter (存根, 介绍信, 回执) of a transfer out of the
county, and the 回执 to send back for a member who came into the county. Each rendering is
a print: audited (the page shows the full ID number), counted on the letter, never cached."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from sanyuan.errors import StateConflict
from sanyuan.net import client_ip

from .. import selectors, services
from .staff import TransferStaffPageMixin


@method_decorator(never_cache, name="dispatch")
class StaffLetterPrintView(TransferStaffPageMixin, View):
    def get(self, request, pk):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        try:
            sheet = services.letter_print(
                actor=request.user, transfer=transfer, ip=client_ip(request)
            )
        except StateConflict as exc:
            messages.error(request, exc.message)
            return redirect("transfers:staff-detail", pk=pk)
        return render(
            request,
            "transfers/print/letter.html",
            {"sheet": sheet, "transfer": transfer, "parts": ("stub", "letter", "receipt")},
        )


@method_decorator(never_cache, name="dispatch")
class StaffReceiptPrintView(TransferStaffPageMixin, View):
    def get(self, request, pk):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        try:
            sheet = services.receipt_print(
                actor=request.user, transfer=transfer, ip=client_ip(request)
            )
        except StateConflict as exc:  # not a transfer into the county: no 回执 to print
            messages.error(request, exc.message)
            return redirect("transfers:staff-detail", pk=pk)
        return render(
            request,
            "transfers/print/letter.html",
            {"sheet": sheet, "transfer": transfer, "parts": ("receipt",)},
        )
