"""Where 党费交至 (the month a member's dues are paid up to) comes from.

No dues ledger exists yet: staff enter the month when they issue a letter. Once the dues app
keeps the ledger, it names a function in the setting TRANSFER_DUES_PAID_UNTIL (a dotted path,
called as `func(member=member) -> date | None`, the first day of the month or None when
unknown); the letter then defaults to it, and what staff enter still wins. Looked up by
name, so that transfers never imports another feature app.
"""

from datetime import date

from django.conf import settings
from django.utils.module_loading import import_string


def dues_paid_until(member) -> date | None:
    path = getattr(settings, "TRANSFER_DUES_PAID_UNTIL", "")
    if not path:
        return None
    value = import_string(path)(member=member)
    return value.replace(day=1) if value else None
