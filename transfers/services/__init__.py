"""Writes of the transfers app: one service per step, each checking its own permission
(transfers.permissions.check_step), locking the row (a step already taken answers 409),
recording a TransferEvent and an audit event, and telling the people concerned."""

from .incoming import incoming_register
from .inside import (
    transfer_accept,
    transfer_approve,
    transfer_reject,
    transfer_request,
    transfer_withdraw,
)
from .outgoing import letter_issue, letters_expire, receipt_record, transfer_prepare
from .printing import letter_print, receipt_print

__all__ = [
    "incoming_register",
    "letter_issue",
    "letter_print",
    "letters_expire",
    "receipt_print",
    "receipt_record",
    "transfer_accept",
    "transfer_approve",
    "transfer_prepare",
    "transfer_reject",
    "transfer_request",
    "transfer_withdraw",
]
