"""The inbox: which notices a user sees, newest first, in keyset pages.

A user's notices come from two places: notices addressed to them by name (NoticeRecipient,
index user+notice) and broadcast notices whose audience includes them (index audience +
organisation + id). Each source is read with its own index and a LIMIT, and the two are
merged, so a page costs the same whatever the size of the notice table.
"""

from dataclasses import dataclass, field
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


# Staff: how far each notice reached ------------------------------------------------------


@dataclass
class NoticeReach:
    """Per notice, each member counted once: read in the inbox (active account), reached by
    a WeChat subscribe message or by SMS (no account), or not reached and why; `held` waits
    for the end of the quiet hours. A push that fell back to a text counts as that text."""

    notice: Notice
    inbox: int = 0
    wechat: int = 0
    wechat_extra: int = 0  # members with an account who also got a subscribe message
    sms: int = 0
    sms_extra: int = 0  # members with an account who also got a text (their preference)
    held: int = 0
    waiting: int = 0
    not_reached: dict = field(default_factory=dict)

    @property
    def not_reached_total(self) -> int:
        return sum(self.not_reached.values())


# Why a member was not reached, in the order the page lists them.
NOT_REACHED = (
    ("opted_out", "未送达（已退订）"),
    ("no_phone", "未送达（无手机号）"),
    ("phone_invalid", "号码待核实"),
    ("over_budget", "未发送（超出本月短信预算）"),
    ("skipped", "未发送（超出每日上限）"),
    ("undelivered", "未送达（运营商回执失败）"),
    ("gave_up", "未送达（网关拒收）"),
    ("dead", "发送失败（已放弃）"),
)
WECHAT_NOT_REACHED = "未送达（微信订阅消息失败）"


def notice_reach_list(*, user, notices: list[Notice]) -> list[NoticeReach]:
    """The reach of a page of notices the user may manage: one grouped query over the
    outbox, whatever the page size."""
    from django.db.models import Count

    from members.models import NoticeDelivery

    reach = {n.pk: NoticeReach(notice=n, inbox=n.inbox_count or 0, not_reached={}) for n in notices}
    rows = (
        NoticeDelivery.objects.filter(notice_id__in=list(reach), channel__in=["sms", "wechat"])
        .values("notice_id", "channel", "status")
        .annotate(
            members=Count("pk", filter=Q(user__isnull=True)),
            accounts=Count("pk", filter=Q(user__isnull=False)),
        )
    )
    labels = dict(NOT_REACHED)
    for row in rows:
        item, status, count = reach[row["notice_id"]], row["status"], row["members"]
        if status in NoticeDelivery.REACHED_STATUSES and row["channel"] == "wechat":
            item.wechat += count
            item.wechat_extra += row["accounts"]
        elif status in NoticeDelivery.REACHED_STATUSES:
            item.sms += count
            item.sms_extra += row["accounts"]
        elif status == "fell_back":
            continue  # counted by the text it fell back to
        elif row["channel"] == "wechat" and status in labels:
            if count:  # members with an account read it in the inbox anyway
                reason = WECHAT_NOT_REACHED
                item.not_reached[reason] = item.not_reached.get(reason, 0) + count
        elif status == "held":
            item.held += count
        elif status in labels:
            item.not_reached[labels[status]] = item.not_reached.get(labels[status], 0) + count
        else:
            item.waiting += count
    return list(reach.values())


def notice_manageable_list(*, user):
    """Notices as sent, for the staff notice page (keyset-paginated by the view)."""
    return permissions.filter_notices_manageable_by(
        user, Notice.objects.select_related("audience_organization")
    )
