"""Who may see and do what in the forum.

- Board `forum` (党员论坛): every member and every staff user reads and answers. A hidden
  thread is seen only by its author and the staff in its scope.
- Board `reflections` (学习心得): the author, the staff whose scope includes the thread's
  organisation (the author's home organisation), and everybody once the author shares it.
- Official replies, staff comments on reflections and moderation: staff in scope only.

"In scope" means the thread's `organization` lies in the user's granted subtrees. Objects a
user may not see are 404 (`check_*`), never a hint that they exist.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from members.models import Organization
from members.permissions import has_tier, scope_of

from .models import Board, Post, PostImage, PostReport, Thread


def is_staff(user) -> bool:
    return scope_of(user).is_staff


def may_use_forum(user) -> bool:
    return has_tier(user)


def speaking_organizations(user) -> tuple[Organization, ...]:
    """The organisations a staff user may post in the name of (their grants)."""
    return scope_of(user).grants


def thread_visibility_q(user, *, prefix: str = "", board: str | None = None) -> Q:
    """Rows (threads, or rows reaching a thread through `prefix`) the user may read; with
    `board`, only that board's rule (a simpler condition for the planner)."""
    if not may_use_forum(user):
        return Q(pk__in=[])

    def f(**kwargs) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in kwargs.items()})

    staff = is_staff(user)
    in_scope = scope_of(user).q(via=f"{prefix}organization__") if staff else Q(pk__in=[])
    own = f(author=user)
    forum = f(board=Board.FORUM) & (f(is_hidden=False) | own | in_scope)
    reflections = f(board=Board.REFLECTIONS) & (f(is_shared=True, is_hidden=False) | own | in_scope)
    if board == Board.FORUM:
        return forum
    if board == Board.REFLECTIONS:
        return reflections
    return forum | reflections


def filter_threads_visible_to(user, qs: QuerySet | None = None, *, board=None) -> QuerySet:
    qs = Thread.objects.all() if qs is None else qs
    return qs.filter(thread_visibility_q(user, board=board))


def in_thread_scope(user, thread: Thread) -> bool:
    """Staff whose grants cover the thread's organisation."""
    return scope_of(user).covers(thread.organization)


def is_thread_author(user, thread: Thread) -> bool:
    # No user at all (code outside a request) is nobody's author, as for scope_of(None).
    return user is not None and user.is_authenticated and thread.author_id == user.pk


def can_view_thread(user, thread: Thread) -> bool:
    if not may_use_forum(user):
        return False
    if is_thread_author(user, thread) or in_thread_scope(user, thread):
        return True
    if thread.is_hidden:
        return False
    return thread.board == Board.FORUM or thread.is_shared


def check_view_thread_permission(user, thread: Thread) -> None:
    if not can_view_thread(user, thread):
        raise Http404


def can_reply(user, thread: Thread) -> bool:
    """May post in the thread at all (locks are a state rule, see services)."""
    if not can_view_thread(user, thread):
        return False
    if thread.board == Board.REFLECTIONS:
        return is_thread_author(user, thread) or in_thread_scope(user, thread)
    if thread.is_hidden:
        return in_thread_scope(user, thread)
    return True


def check_reply_permission(user, thread: Thread) -> None:
    check_view_thread_permission(user, thread)
    if not can_reply(user, thread):
        raise PermissionDenied("只有作者本人和所在党组织的工作人员可以回复学习心得。")


def official_organizations(user, thread: Thread) -> list[Organization]:
    """The organisations a staff user may speak for in this thread: their grants that cover
    the thread's organisation (outermost first)."""
    return scope_of(user).covering(thread.organization)


def can_moderate_thread(user, thread: Thread) -> bool:
    return in_thread_scope(user, thread)


def check_moderate_thread_permission(user, thread: Thread) -> None:
    check_view_thread_permission(user, thread)
    if not can_moderate_thread(user, thread):
        raise PermissionDenied("只有管理范围内的党组织工作人员可以管理该主题。")


def can_share_thread(user, thread: Thread) -> bool:
    return thread.board == Board.REFLECTIONS and is_thread_author(user, thread)


def can_mark_reflection_read(user, thread: Thread) -> bool:
    return thread.board == Board.REFLECTIONS and in_thread_scope(user, thread)


# Posts -----------------------------------------------------------------------------------


def is_post_author(user, post: Post) -> bool:
    return user is not None and user.is_authenticated and post.author_id == user.pk


def can_view_post_body(user, post: Post) -> bool:
    """Caller checked the thread. Deleted posts show to nobody; hidden ones to the author and
    the staff in scope (with the reason)."""
    if post.is_deleted:
        return False
    if post.is_hidden:
        return is_post_author(user, post) or in_thread_scope(user, post.thread)
    return True


def check_view_post_permission(user, post: Post) -> None:
    check_view_thread_permission(user, post.thread)


def edit_window_open(post: Post) -> bool:
    age = (timezone.now() - post.created_at).total_seconds()
    return age <= settings.FORUM_EDIT_WINDOW_SECONDS


def can_edit_post(user, post: Post) -> bool:
    return (
        is_post_author(user, post)
        and not post.is_deleted
        and not post.is_hidden
        and edit_window_open(post)
    )


def can_report_post(user, post: Post) -> bool:
    return (
        scope_of(user).member is not None
        and not is_post_author(user, post)
        and not post.is_deleted
        and can_view_post_body(user, post)
    )


def can_view_image(user, image: PostImage) -> bool:
    post = image.post
    return can_view_thread(user, post.thread) and can_view_post_body(user, post)


# Reports ---------------------------------------------------------------------------------


def filter_reports_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = PostReport.objects.all() if qs is None else qs
    if not is_staff(user):
        return qs.none()
    return qs.filter(scope_of(user).q(via="thread__organization__"))


def filter_thread_scope(user, qs: QuerySet, *, prefix: str = "") -> QuerySet:
    """Rows whose thread lies in the staff user's scope (none for everybody else)."""
    if not is_staff(user):
        return qs.none()
    return qs.filter(scope_of(user).q(via=f"{prefix}organization__"))
