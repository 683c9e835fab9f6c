"""Party dues (党费): who pays which category and base, the append-only ledger, the totals
every figure above the member reads, and the online orders.

- `DuesAccount`: a member's dues category (set by staff), the fixed amount for farmers and
  hardship cases, the first month owed, and `paid_through` (the last month of an unbroken run
  of settled months, kept in the same transaction as the ledger) for lists without decryption.
- `DuesBase`: the monthly income base declared for a year (by the member, or set by staff),
  reviewed by staff. Encrypted.
- `DuesReceipt` and `DuesEntry`: the ledger. Entries are never changed or deleted: a
  correction or a refund is a new entry. Amounts are encrypted (they reveal income).
- `DuesTotal`: per organisation and month, the sums of its members' entries, updated with
  each entry; every figure above the member reads these.
- `DuesOrder`, `DuesReconciliation`: WeChat Pay orders and the daily check against the trade
  bill.
"""

from .accounts import DuesAccount, DuesBase
from .ledger import DuesEntry, DuesReceipt, DuesTotal
from .payments import DuesOrder, DuesReconciliation, DuesReminder

__all__ = [
    "DuesAccount",
    "DuesBase",
    "DuesEntry",
    "DuesOrder",
    "DuesReceipt",
    "DuesReconciliation",
    "DuesReminder",
    "DuesTotal",
]
