"""Figures of the registry that `/metrics` reports (sanyuan.metrics asks through settings)."""

from django.db.models import Count

from .models import NoticeDelivery


def outbox_counts(statuses) -> dict[str, int]:
    """Open deliveries of the SMS and e-mail outbox by status: one grouped query."""
    rows = (
        NoticeDelivery.objects.filter(status__in=statuses)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)
