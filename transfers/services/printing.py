"""Printing the letter (存根, 介绍信, 回执) or, for a member who came into the county, the
回执 to send back. The printed page carries the full ID number, so each print is audited
like members' reveal of an ID number (`transfer.letter_print`, `transfer.receipt_print`)
and counted on the letter."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.models import Member
from sanyuan.errors import StateConflict

from .. import permissions
from ..models import IntroductionLetter, Transfer, TransferEvent
from ..sheets import LetterSheet, letter_sheet
from .common import locked, record_step


def _print(*, actor, transfer: Transfer, step: str, audit_action: str, ip) -> LetterSheet:
    with transaction.atomic():
        row = locked(transfer)
        permissions.check_step(actor, row, step)
        letter = row.letters.filter(voided_at=None).order_by("-issued_at", "-id").first()
        if letter is None:  # pragma: no cover - the printable states always have a letter
            raise StateConflict("没有有效的介绍信。")
        IntroductionLetter.objects.filter(pk=letter.pk).update(
            printed_count=F("printed_count") + 1, last_printed_at=timezone.now()
        )
        member = Member.objects.get(pk=row.member_id)
        record_step(
            row,
            action=step,
            actor=actor,
            from_status=row.status,
            ip=ip,
            note=f"第{letter.number}号",
            audit_action=audit_action,
            detail={"number": letter.number, "id_number": member.id_number_masked},
        )
    return letter_sheet(row, letter, member)


def letter_print(*, actor, transfer: Transfer, ip: str | None = None) -> LetterSheet:
    """The three-part letter of a transfer out of the county (sending side staff)."""
    return _print(
        actor=actor,
        transfer=transfer,
        step=TransferEvent.Action.PRINT_LETTER,
        audit_action="transfer.letter_print",
        ip=ip,
    )


def receipt_print(*, actor, transfer: Transfer, ip: str | None = None) -> LetterSheet:
    """The 回执 for a member registered into the county (receiving side staff)."""
    return _print(
        actor=actor,
        transfer=transfer,
        step=TransferEvent.Action.PRINT_RECEIPT,
        audit_action="transfer.receipt_print",
        ip=ip,
    )
