"""The inbox: which notices a user sees, newest first, in keyset pages.

A user's notices come from two places: notices addressed to them by name (NoticeRecipient,
index user+notice) and broadcast notices whose audience includes them (index audience +
organisation + id). Each source is read with its own index and a LIMIT, and the two are
merged, so a page costs the same whatever the size of the notice table.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from members import permissions
from members.models import (
    Notice,
    NoticeInboxState,
    NoticeRead,
    NoticeRecipient,
    TemporaryBranchMembership,
)
from members.models.organizations import OrganizationUserObjectPermission
from sanyuan.errors import ServiceError
from sanyuan.inputs import parse_int

A = Notice.Audience


class Audiences:
    """What a user belongs to, for matching broadcast notices and audiences of articles and
    activities. Computed once per request; each part costs a query only when it is read
    (the member row, with its organisations, comes from `permissions.member_of`)."""

    def __init__(self, user):
        self._user = user
        self._member = permissions.member_of(user)
        member = self._member
        self.organization_ids = _path_ids(member.organization.path) if member else []
        self.province = member.destination_province if member else ""
        self.member_since = member.created_at if member else None
        host = member.host_organization if member and member.host_organization_id else None
        self.host_organization_ids = _path_ids(host.path) if host else []

    @cached_property
    def skill_ids(self) -> list[int]:
        if self._member is None:
            return []
        return list(
            self._member.skills.through.objects.filter(member_id=self._member.pk).values_list(
                "skill_id", flat=True
            )
        )

    @cached_property
    def temporary_branch_ids(self) -> list[int]:
        if self._member is None:
            return []
        return list(
            TemporaryBranchMembership.objects.filter(
                member_id=self._member.pk, left_at__isnull=True
            ).values_list("branch_id", flat=True)
        )

    @cached_property
    def staff_organization_ids(self) -> list[int]:
        if not permissions.is_staff_user(self._user):
            return []
        return list(
            OrganizationUserObjectPermission.objects.filter(
                user=self._user, permission__codename=permissions.MANAGE
            ).values_list("content_object_id", flat=True)
        )

    @cached_property
    def read_all_before(self) -> datetime | None:
        return (
            NoticeInboxState.objects.filter(user=self._user)
            .values_list("read_all_before", flat=True)
            .first()
        )


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def audiences_of(user) -> Audiences:
    cached = getattr(user, "_sanyuan_audiences", None)
    if cached is not None:
        return cached
    ctx = Audiences(user)
    user._sanyuan_audiences = ctx
    return ctx


def _broadcast_q(ctx: Audiences) -> Q | None:
    q = Q(pk__in=[])
    matched = False
    if ctx.organization_ids:
        filters = Q(has_filters=False)
        if ctx.skill_ids:
            filters |= Q(
                Exists(
                    Notice.filter_skills.through.objects.filter(
                        notice_id=OuterRef("pk"), skill_id__in=ctx.skill_ids
                    )
                )
            )
        if ctx.province:
            filters |= Q(filter_provinces__contains=f",{ctx.province},")
        q |= (
            Q(audience=A.SUBTREE, audience_organization_id__in=ctx.organization_ids)
            & filters
            & Q(created_at__gte=ctx.member_since)
        )
        matched = True
    if ctx.temporary_branch_ids:
        q |= Q(audience=A.TEMPORARY_BRANCH, audience_organization_id__in=ctx.temporary_branch_ids)
        matched = True
    if ctx.host_organization_ids:
        q |= Q(audience=A.HOSTED, audience_organization_id__in=ctx.host_organization_ids)
        matched = True
    if ctx.staff_organization_ids:
        q |= Q(audience=A.STAFF, audience_organization_id__in=ctx.staff_organization_ids)
        matched = True
    return q if matched else None


def _unread_notice_q(user, ctx: Audiences, prefix: str = "") -> Q:
    read = NoticeRead.objects.filter(
        user=user, notice_id=OuterRef(f"{prefix}pk" if not prefix else "notice_id")
    )
    q = ~Q(Exists(read))
    if ctx.read_all_before is not None:
        q &= Q(**{f"{prefix}created_at__gt": ctx.read_all_before})
    return q


@dataclass
class InboxPage:
    results: list
    next_cursor: str | None
    previous_cursor: str | None


def _parse_cursor(cursor: str | None) -> tuple[str, int] | None:
    if not cursor:
        return None
    direction, _, number = cursor[:1], None, cursor[1:]
    if direction not in ("o", "n") or parse_int(number) is None:
        raise ServiceError("分页游标无效。", field="cursor")
    return direction, int(number)


def _candidate_ids(user, ctx, *, direction, anchor, limit, unread_only) -> list[int]:
    newer = direction == "n"
    recipients = NoticeRecipient.objects.filter(user=user)
    broadcast_q = _broadcast_q(ctx)
    broadcasts = Notice.objects.filter(broadcast_q) if broadcast_q is not None else None
    if anchor is not None:
        recipients = recipients.filter(**{"notice_id__gt" if newer else "notice_id__lt": anchor})
        if broadcasts is not None:
            broadcasts = broadcasts.filter(**{"pk__gt" if newer else "pk__lt": anchor})
    if unread_only:
        recipients = recipients.filter(_unread_notice_q(user, ctx, prefix="notice__"))
        if broadcasts is not None:
            broadcasts = broadcasts.filter(_unread_notice_q(user, ctx))
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
    ctx = audiences_of(user)
    parsed = _parse_cursor(cursor)
    direction, anchor = parsed if parsed else ("o", None)
    ids = _candidate_ids(
        user, ctx, direction=direction, anchor=anchor, limit=page_size + 1, unread_only=unread_only
    )
    more = len(ids) > page_size
    ids = ids[:page_size]
    if direction == "n":
        ids.reverse()
    notices = {n.pk: n for n in _with_read_state(Notice.objects.filter(pk__in=ids), user, ctx)}
    results = [notices[pk] for pk in ids if pk in notices]
    if direction == "o":
        next_cursor = f"o{ids[-1]}" if more and ids else None
        previous_cursor = f"n{ids[0]}" if anchor is not None and ids else None
    else:
        next_cursor = f"o{ids[-1]}" if ids else None
        previous_cursor = f"n{ids[0]}" if more and ids else None
    return InboxPage(results=results, next_cursor=next_cursor, previous_cursor=previous_cursor)


def _with_read_state(qs, user, ctx):
    read = Q(Exists(NoticeRead.objects.filter(user=user, notice_id=OuterRef("pk"))))
    if ctx.read_all_before is not None:
        read |= Q(created_at__lte=ctx.read_all_before)
    from django.db.models import BooleanField, ExpressionWrapper

    return qs.annotate(is_read=ExpressionWrapper(read, output_field=BooleanField()))


def notice_is_visible(user, notice: Notice) -> bool:
    if NoticeRecipient.objects.filter(user=user, notice=notice).exists():
        return True
    broadcast_q = _broadcast_q(audiences_of(user))
    return broadcast_q is not None and Notice.objects.filter(broadcast_q, pk=notice.pk).exists()


def notice_get(*, user, pk) -> Notice:
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None or not notice_is_visible(user, notice):
        raise Http404
    return notice


def notice_unread_count(*, user) -> int:
    ctx = audiences_of(user)
    count = (
        NoticeRecipient.objects.filter(user=user)
        .filter(_unread_notice_q(user, ctx, prefix="notice__"))
        .count()
    )
    broadcast_q = _broadcast_q(ctx)
    if broadcast_q is not None:
        count += Notice.objects.filter(broadcast_q).filter(_unread_notice_q(user, ctx)).count()
    return count


def notice_preferences(*, user) -> list[dict]:
    from members.models import NoticePreference
    from members.services.notices import ALWAYS_SMS_KINDS

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
