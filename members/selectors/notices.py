"""The inbox: which notices a user sees, newest first, in keyset pages.

A user's notices come from two places: notices addressed to them by name (NoticeRecipient,
index user+notice) and broadcast notices whose audience includes them (index audience +
organisation + id). Each source is read with its own index and a LIMIT, and the two are
merged, so a page costs the same whatever the size of the notice table.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from members import permissions
from members.models import (
    Notice,
    NoticeInboxState,
    NoticeRead,
    NoticeRecipient,
)
from sanyuan import keyset

A = Notice.Audience


def _read_all_before(user) -> datetime | None:
    """When the user last pressed 全部已读 (everything before is read)."""
    return (
        NoticeInboxState.objects.filter(user=user).values_list("read_all_before", flat=True).first()
    )


def _unread_notice_q(user, read_all_before, prefix: str = "") -> Q:
    read = NoticeRead.objects.filter(
        user=user, notice_id=OuterRef(f"{prefix}pk" if not prefix else "notice_id")
    )
    q = ~Q(Exists(read))
    if read_all_before is not None:
        q &= Q(**{f"{prefix}created_at__gt": read_all_before})
    return q


@dataclass
class InboxPage:
    results: list
    next_cursor: str | None
    previous_cursor: str | None


def _parse_cursor(cursor: str | None) -> tuple[str, int] | None:
    """The shared keyset cursor over the notice id (sanyuan.keyset): "o" (older, further along
    the newest-first order) or "n" (newer)."""
    if not cursor:
        return None
    direction, (anchor,) = keyset.decode(cursor, 1)
    return ("o" if direction == "n" else "n"), anchor


def _cursor(direction: str, notice_id: int) -> str:
    return keyset.encode("n" if direction == "o" else "p", (notice_id,))


def _candidate_ids(user, read_all_before, *, direction, anchor, limit, unread_only) -> list[int]:
    newer = direction == "n"
    recipients = NoticeRecipient.objects.filter(user=user)
    broadcast_q = permissions.broadcast_notices_q(user)
    broadcasts = Notice.objects.filter(broadcast_q) if broadcast_q is not None else None
    if anchor is not None:
        recipients = recipients.filter(**{"notice_id__gt" if newer else "notice_id__lt": anchor})
        if broadcasts is not None:
            broadcasts = broadcasts.filter(**{"pk__gt" if newer else "pk__lt": anchor})
    if unread_only:
        recipients = recipients.filter(_unread_notice_q(user, read_all_before, prefix="notice__"))
        if broadcasts is not None:
            broadcasts = broadcasts.filter(_unread_notice_q(user, read_all_before))
    ids = list(
        recipients.order_by("notice_id" if newer else "-notice_id").values_list(
            "notice_id", flat=True
        )[:limit]
    )
    if broadcasts is not None:
        ids += list(
            broadcasts.order_by("pk" if newer else "-pk").values_list("pk", flat=True)[:limit]
        )
    return sorted(set(ids), reverse=not newer)[:limit]


def notice_inbox(
    *, user, cursor: str | None = None, unread_only: bool = False, page_size: int = 20
) -> InboxPage:
    read_all_before = _read_all_before(user)
    parsed = _parse_cursor(cursor)
    direction, anchor = parsed if parsed else ("o", None)
    ids = _candidate_ids(
        user,
        read_all_before,
        direction=direction,
        anchor=anchor,
        limit=page_size + 1,
        unread_only=unread_only,
    )
    more = len(ids) > page_size
    ids = ids[:page_size]
    if direction == "n":
        ids.reverse()
    notices = {
        n.pk: n for n in _with_read_state(Notice.objects.filter(pk__in=ids), user, read_all_before)
    }
    results = [notices[pk] for pk in ids if pk in notices]
    if direction == "o":
        next_cursor = _cursor("o", ids[-1]) if more and ids else None
        previous_cursor = _cursor("n", ids[0]) if anchor is not None and ids else None
    else:
        next_cursor = _cursor("o", ids[-1]) if ids else None
        previous_cursor = _cursor("n", ids[0]) if more and ids else None
    return InboxPage(results=results, next_cursor=next_cursor, previous_cursor=previous_cursor)


def _with_read_state(qs, user, read_all_before):
    read = Q(Exists(NoticeRead.objects.filter(user=user, notice_id=OuterRef("pk"))))
    if read_all_before is not None:
        read |= Q(created_at__lte=read_all_before)
    from django.db.models import BooleanField, ExpressionWrapper

    return qs.annotate(is_read=ExpressionWrapper(read, output_field=BooleanField()))


def notice_get(*, user, pk) -> Notice:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None or not permissions.can_view_notice(user, notice):
        raise Http404
    return notice


def notice_unread_count(*, user) -> int:
    read_all_before = _read_all_before(user)
    count = (
        NoticeRecipient.objects.filter(user=user)
        .filter(_unread_notice_q(user, read_all_before, prefix="notice__"))
        .count()
    )
    broadcast_q = permissions.broadcast_notices_q(user)
    if broadcast_q is not None:
        count += (
            Notice.objects.filter(broadcast_q)
            .filter(_unread_notice_q(user, read_all_before))
            .count()
        )
    return count


def notice_preferences(*, user) -> list[dict]:
    from members.models import NoticePreference

    ALWAYS_SMS_KINDS = Notice.ALWAYS_SMS_KINDS

    stored = {p.kind: p for p in NoticePreference.objects.filter(user=user)}
    rows = []
    for kind, label in Notice.Kind.choices:
        pref = stored.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "sms": kind in ALWAYS_SMS_KINDS or bool(pref and pref.sms),
                "email": bool(pref and pref.email),
                "always_sms": kind in ALWAYS_SMS_KINDS,
            }
        )
    return rows
