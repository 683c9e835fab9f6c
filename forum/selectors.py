"""Reads in the forum, always through permissions.py. Every list is a keyset page."""

from datetime import timedelta
from statistics import median

from django.core.cache import cache
from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Prefetch
from django.http import Http404
from django.utils import timezone

from members import permissions as member_permissions
from sanyuan.errors import ServiceError
from sanyuan.inputs import parse_int
from sanyuan.keyset import Page, decode, encode, keyset_page
from sanyuan.search import filter_fulltext

from . import permissions
from .models import Board, Post, PostImage, PostReport, Thread, ThreadRead

THREAD_ORDER = ("is_pinned", "last_posted_at", "id")
MAX_PAGE_SIZE = 100


def page_size_from(raw, default: int = 20) -> int:
    raw = str(raw or "")
    size = parse_int(raw)
    return max(1, min(size, MAX_PAGE_SIZE)) if size is not None else default


def _attach_read_state(user, threads: list[Thread]) -> None:
    """`last_read_post_id` and `is_unread` on each thread: one query for the whole page."""
    marks = dict(
        ThreadRead.objects.filter(user=user, thread_id__in=[t.pk for t in threads]).values_list(
            "thread_id", "last_read_post_id"
        )
    )
    for thread in threads:
        thread.last_read_post_id = marks.get(thread.pk, 0)
        thread.is_unread = thread.last_post_id > thread.last_read_post_id


def thread_list(
    *,
    user,
    board: str,
    kind: str | None = None,
    mine: bool = False,
    shared: bool = False,
    typical: bool = False,
    cursor: str | None = None,
    page_size: int = 20,
) -> Page:
    """Threads of a board the user may read: pinned first, then by last reply."""
    if board not in Board.values:
        raise ServiceError("版块无效。", field="board")
    qs = permissions.filter_threads_visible_to(user, board=board).filter(board=board)
    if kind:
        if kind not in Thread.KINDS_BY_BOARD[board]:
            raise ServiceError("类型与版块不符。", field="kind")
        qs = qs.filter(kind=kind)
    if mine:
        qs = qs.filter(author=user)
    if shared:
        qs = qs.filter(is_shared=True, is_hidden=False)
    if typical:
        qs = qs.filter(is_typical=True, first_official_reply_at__isnull=False, is_hidden=False)
    page = keyset_page(
        qs.select_related("organization"),
        fields=THREAD_ORDER,
        descending=True,
        cursor=cursor,
        page_size=page_size,
    )
    _attach_read_state(user, page.results)
    return page


def typical_list(*, user, cursor: str | None = None, page_size: int = 20) -> Page:
    """Answered typical issues (典型问题), most recently marked first."""
    qs = permissions.filter_threads_visible_to(user, board=Board.FORUM).filter(
        board=Board.FORUM, is_typical=True, first_official_reply_at__isnull=False, is_hidden=False
    )
    page = keyset_page(
        qs.select_related("organization"),
        fields=("typical_at", "id"),
        descending=True,
        cursor=cursor,
        page_size=page_size,
    )
    _attach_read_state(user, page.results)
    return page


def thread_get(*, user, pk) -> Thread:
    if parse_int(pk) is None:
        raise Http404
    thread = Thread.objects.select_related("organization").filter(pk=pk).first()
    if thread is None:
        raise Http404
    permissions.check_view_thread_permission(user, thread)
    return thread


def posts_decorate(user, thread: Thread, posts: list[Post]) -> None:
    """What the reader may see and do with each post, without a query per post."""
    moderator = permissions.can_moderate_thread(user, thread)
    is_member = member_permissions.member_of(user) is not None
    for post in posts:
        post.thread = thread
        mine = post.author_id == user.pk
        post.is_mine = mine
        post.show_body = not post.is_deleted and (not post.is_hidden or mine or moderator)
        post.can_edit = permissions.can_edit_post(user, post)
        post.can_delete = mine and not post.is_deleted and not post.is_opening
        post.can_report = is_member and not mine and post.show_body and not post.is_hidden
        post.can_moderate = moderator
        quote = post.quote
        if quote is not None:
            quote.show_body = not quote.is_deleted and (
                not quote.is_hidden or quote.author_id == user.pk or moderator
            )


def post_page(
    *,
    user,
    thread: Thread,
    cursor: str | None = None,
    from_post: int | None = None,
    page_size: int = 20,
) -> Page:
    """Posts of a thread, oldest first. `from_post` starts the page at that post (links from
    notices). Caller got the thread through thread_get."""
    if from_post is not None and cursor is None:
        cursor = encode("n", (int(from_post) - 1,))
    qs = (
        Post.objects.filter(thread=thread)
        .select_related("organization", "quote")
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position")))
    )
    page = keyset_page(qs, fields=("id",), descending=False, cursor=cursor, page_size=page_size)
    posts_decorate(user, thread, page.results)
    return page


def post_get(*, user, pk) -> Post:
    if parse_int(pk) is None:
        raise Http404
    post = Post.objects.select_related("thread", "thread__organization").filter(pk=pk).first()
    if post is None:
        raise Http404
    permissions.check_view_post_permission(user, post)
    return post


def image_get(*, user, pk) -> PostImage:
    if parse_int(pk) is None:
        raise Http404
    image = (
        PostImage.objects.select_related("post", "post__thread", "post__thread__organization")
        .filter(pk=pk)
        .first()
    )
    if image is None or not permissions.can_view_image(user, image):
        raise Http404
    return image


SEARCH_WINDOW = 100_000  # newest posts searched first


def post_search(*, user, query: str, cursor: str | None = None, page_size: int = 20) -> Page:
    """Posts (titles are indexed with the opening post) matching every word of `query`, newest
    first, among the threads the user may read.

    The planner would walk the primary key backwards for "newest hits", recomputing the
    tsvector on every row (seconds for a rare word on 2M posts); ordering by `id + 0` makes
    it use the GIN index instead, whose cost grows with the number of hits (slow for a very
    common word). So the newest SEARCH_WINDOW ids are searched first, where a common word
    fills the page at once, and only if the page is not full the older posts."""
    direction, anchor = decode(cursor, 1) if cursor else ("n", None)
    if direction != "n":
        raise ServiceError("分页游标无效。", field="cursor")
    qs = Post.objects.filter(
        permissions.thread_visibility_q(user, prefix="thread__"),
        is_deleted=False,
        is_hidden=False,
    ).select_related("thread")
    qs = filter_fulltext(qs, query)
    if anchor is not None:
        qs = qs.filter(pk__lt=anchor[0])
        top = anchor[0]
    else:
        top = (Post.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    low = max(top - SEARCH_WINDOW, 0)

    def newest(part, limit):
        return list(part.annotate(_key=F("id") + 0).order_by("-_key")[:limit])

    rows = newest(qs.filter(pk__gte=low), page_size + 1)
    if len(rows) <= page_size and low > 0:
        rows += newest(qs.filter(pk__lt=low), page_size + 1 - len(rows))
    more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = encode("n", (rows[-1].pk,)) if more and rows else None
    return Page(rows, next_cursor, None)


# Staff -----------------------------------------------------------------------------------


def _scoped_threads(user, **filters):
    return permissions.filter_thread_scope(user, Thread.objects.filter(**filters))


def unanswered_queue(
    *, user, kind: str | None = None, cursor: str | None = None, page_size: int = 20
) -> Page:
    """Requests and suggestions in the staff user's scope without an official reply, oldest
    first."""
    kinds = Thread.ANSWERABLE_KINDS
    if kind:
        if kind not in kinds:
            raise ServiceError("只能筛选诉求或建议。", field="kind")
        kinds = (kind,)
    qs = _scoped_threads(
        user,
        board=Board.FORUM,
        kind__in=kinds,
        first_official_reply_at__isnull=True,
        is_hidden=False,
    ).select_related("organization")
    page = keyset_page(
        qs, fields=("created_at", "id"), descending=False, cursor=cursor, page_size=page_size
    )
    now = timezone.now()
    for thread in page.results:
        thread.age = now - thread.created_at
    return page


class _Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


STATS_CACHE_SECONDS = 300


def official_reply_stats(*, user, days: int = 90) -> dict:
    """Time to the first official reply for requests and suggestions opened in the last
    `days` days in the user's scope: count, average and median (seconds), and how many are
    still waiting. Aggregates over a county's or a province's threads cost tens to hundreds
    of milliseconds, so the figures are cached for a few minutes per scope."""
    grants = permissions.speaking_organizations(user)
    if not grants:
        return _reply_stats(user, days)
    key = f"forum-stats:{days}:{'-'.join(str(org.pk) for org in grants)}"
    stats = cache.get(key)
    if stats is None:
        stats = _reply_stats(user, days)
        cache.set(key, stats, timeout=STATS_CACHE_SECONDS)
    return stats


def _reply_stats(user, days: int) -> dict:
    since = timezone.now() - timedelta(days=days)
    base = _scoped_threads(
        user, board=Board.FORUM, kind__in=Thread.ANSWERABLE_KINDS, is_hidden=False
    )
    answered = base.filter(created_at__gte=since, first_official_reply_seconds__isnull=False)
    if connection.vendor == "postgresql":
        row = answered.aggregate(
            count=Count("id"),
            average=Avg("first_official_reply_seconds"),
            median=_Median("first_official_reply_seconds"),
        )
    else:  # the embedded SQLite first look has no percentile aggregate
        values = list(answered.values_list("first_official_reply_seconds", flat=True))
        row = {
            "count": len(values),
            "average": sum(values) / len(values) if values else None,
            "median": median(values) if values else None,
        }
    return {
        "days": days,
        "answered": row["count"],
        "average_seconds": round(row["average"]) if row["average"] is not None else None,
        "median_seconds": round(row["median"]) if row["median"] is not None else None,
        "unanswered": base.filter(first_official_reply_at__isnull=True).count(),
    }


def reflections_to_read(
    *, user, unread_only: bool = True, cursor: str | None = None, page_size: int = 20
) -> Page:
    """Reflections in scope, those not yet read by staff first (oldest first)."""
    filters = {"board": Board.REFLECTIONS}
    if unread_only:
        filters["staff_read_at__isnull"] = True
    qs = _scoped_threads(user, **filters).select_related("organization")
    return keyset_page(
        qs,
        fields=("created_at", "id"),
        descending=not unread_only,
        cursor=cursor,
        page_size=page_size,
    )


def report_list(
    *, user, status: str = PostReport.Status.OPEN, cursor: str | None = None, page_size: int = 20
) -> Page:
    if status not in PostReport.Status.values:
        raise ServiceError("状态无效。", field="status")
    qs = (
        permissions.filter_reports_visible_to(user)
        .filter(status=status)
        .select_related("post", "thread", "thread__organization")
    )
    return keyset_page(
        qs,
        fields=("created_at", "id"),
        descending=status != PostReport.Status.OPEN,
        cursor=cursor,
        page_size=page_size,
    )


def report_get(*, user, pk) -> PostReport:
    if parse_int(pk) is None:
        raise Http404
    report = (
        permissions.filter_reports_visible_to(user)
        .select_related("post", "post__thread", "post__thread__organization", "thread")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    return report
