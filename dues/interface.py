"""What other apps may ask of dues by name (settings hooks), never by import."""

from datetime import date


def paid_until(*, member) -> date | None:
    """党费交至 for a transfer letter (settings.TRANSFER_DUES_PAID_UNTIL): the last month of
    the unbroken run of paid months, or None when the member has no dues account."""
    from .models import DuesAccount

    return (
        DuesAccount.objects.filter(member_id=member.pk)
        .values_list("paid_through", flat=True)
        .first()
    )
