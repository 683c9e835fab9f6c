"""Posting: threads, replies (official or not), edits, soft deletes, read markers, sharing.

Every function checks its own permission (404 for what the user may not see, 403 for what
they see but may not do), validates everything before writing, and writes in one
transaction. Thread counters move with F() in the same transaction as the post.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from members import permissions as mp
from members.models import Notice, Organization
from members.services.archive import member_engagement_touch
from members.services.notices import Audience, notice_mark_read_links, notice_publish
from sanyuan import ratelimit
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.inputs import parse_int
from sanyuan.search import segment

from .. import permissions
from ..models import Board, Post, PostImage, PostRevision, Thread, ThreadRead
from .content import CleanPhoto, body_clean, photos_clean, title_clean

NOTICE_EXCERPT = 60


# Flood control: Redis counters per user, so a check costs one INCR whatever the table size.


def _limit_posts(user) -> None:
    if permissions.is_staff(user):
        return
    limit = settings.FORUM_POSTS_PER_MINUTE
    ratelimit.enforce(
        f"forum-post:{user.pk}",
        [(limit, 60)],
        message=f"发言太频繁了：每分钟最多发{limit}条，请稍后再试。",
    )


def _limit_threads(user) -> None:
    if permissions.is_staff(user):
        return
    limit = settings.FORUM_THREADS_PER_DAY
    ratelimit.enforce(
        f"forum-thread:{user.pk}",
        [(limit, 86400)],
        message=f"今天发帖已达{limit}个的上限，请明天再发。",
    )


def _staff_display_name(user) -> str:
    return user.get_full_name() or user.username


def _attach_photos(post: Post, photos: list[CleanPhoto]) -> None:
    for position, photo in enumerate(photos):
        image = PostImage(
            post=post,
            content_type=photo.content_type,
            width=photo.image.width,
            height=photo.image.height,
            position=position,
        )
        image.image.save(photo.image.content.name, photo.image.content, save=False)
        image.thumbnail.save(photo.thumbnail.content.name, photo.thumbnail.content, save=False)
        image.save()


def _speaking_organization(user, organization_id) -> Organization | None:
    if organization_id in (None, ""):
        return None
    for org in permissions.speaking_organizations(user):
        if str(org.pk) == str(organization_id):
            return org
    raise ServiceError("只能以您管理的党组织名义发布。", field="organization")


# Threads ---------------------------------------------------------------------------------


def thread_create(
    *,
    user,
    board: str,
    kind: str,
    title: str,
    body: str,
    body_format: str = "text",
    images=(),
    organization=None,
    shared: bool = False,
) -> Thread:
    """A member opens a thread in either board; staff open forum threads in the name of one
    of their organisations (`organization`: an id or an Organization)."""
    if not permissions.may_use_forum(user):
        raise PermissionDenied
    if board not in Board.values:
        raise ServiceError("请选择版块。", field="board")
    if kind not in Thread.KINDS_BY_BOARD[board]:
        labels = "、".join(Thread.Kind(k).label for k in Thread.KINDS_BY_BOARD[board])
        raise ServiceError(f"类型与版块不符：{Board(board).label}只能发布{labels}。", field="kind")
    title = title_clean(title)
    photos = photos_clean(images)
    clean = body_clean(body, body_format, has_images=bool(photos))
    member = mp.member_of(user)
    org_id = organization.pk if isinstance(organization, Organization) else organization
    speaking = _speaking_organization(user, org_id) if permissions.is_staff(user) else None
    if speaking is None and org_id not in (None, ""):
        raise ServiceError("只能以您管理的党组织名义发布。", field="organization")
    if speaking is None and member is None:
        speaking = permissions.speaking_organizations(user)[0]
    if speaking is not None and board == Board.REFLECTIONS:
        raise ServiceError("学习心得由党员本人发布。", field="board")
    _limit_threads(user)
    _limit_posts(user)

    now = timezone.now()
    if speaking is not None:
        author_member, home, author_name = None, speaking, speaking.name
    else:
        author_member, home, author_name = member, member.organization, member.name
    with transaction.atomic():
        thread = Thread.objects.create(
            board=board,
            kind=kind,
            title=title,
            organization=home,
            author=user,
            author_member=author_member,
            author_name=author_name,
            is_official=speaking is not None,
            is_shared=bool(shared) and board == Board.REFLECTIONS,
            last_posted_at=now,
            last_poster_name=author_name,
            created_at=now,
        )
        post = Post.objects.create(
            thread=thread,
            author=user,
            author_member=author_member,
            author_name=author_name,
            organization=speaking,
            is_opening=True,
            body_html=clean.html,
            created_at=now,
            search_text=segment(f"{title} {clean.text}"),
        )
        _attach_photos(post, photos)
        Thread.objects.filter(pk=thread.pk).update(last_post_id=post.pk)
        thread.last_post_id = post.pk
        thread_mark_read(user=user, thread=thread, post_id=post.pk)
        if author_member is not None:
            member_engagement_touch(member_id=author_member.pk, posted_at=now)
    return thread


def thread_share_set(*, user, thread: Thread, shared: bool) -> Thread:
    """The author shares a reflection with everybody, or takes it back."""
    permissions.check_view_thread_permission(user, thread)
    if not permissions.can_share_thread(user, thread):
        raise PermissionDenied("只有作者本人可以公开分享自己的学习心得。")
    Thread.objects.filter(pk=thread.pk).update(is_shared=bool(shared))
    thread.is_shared = bool(shared)
    return thread


def reflection_mark_read(*, user, thread: Thread) -> Thread:
    """Staff in scope mark a reflection as read (idempotent: the first reader stays)."""
    permissions.check_view_thread_permission(user, thread)
    if not permissions.can_mark_reflection_read(user, thread):
        raise PermissionDenied("只有所在党组织的工作人员可以标记已阅。")
    if thread.staff_read_at is None:
        now = timezone.now()
        Thread.objects.filter(pk=thread.pk, staff_read_at__isnull=True).update(
            staff_read_at=now, staff_read_by=user
        )
        thread.refresh_from_db(fields=["staff_read_at", "staff_read_by"])
    return thread


def thread_mark_read(*, user, thread: Thread, post_id: int) -> None:
    """Move the user's read marker forward to `post_id`, never back: one upsert (PostgreSQL
    and SQLite both know ON CONFLICT … DO UPDATE … WHERE)."""
    if not user.is_authenticated or not post_id or post_id < 1:
        return
    table = connection.ops.quote_name(ThreadRead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, last_read_post_id, read_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, thread_id) DO UPDATE "
            "SET last_read_post_id = EXCLUDED.last_read_post_id, read_at = EXCLUDED.read_at "
            f"WHERE {table}.last_read_post_id < EXCLUDED.last_read_post_id",
            [user.pk, thread.pk, int(post_id), timezone.now()],
        )


# Replies ---------------------------------------------------------------------------------


def _reply_identity(user, thread: Thread, organization_id):
    """(author_member, author_name, speaking organisation) of a new reply."""
    member = mp.member_of(user)
    allowed = permissions.official_organizations(user, thread)
    if organization_id not in (None, ""):
        for org in allowed:
            if str(org.pk) == str(organization_id):
                return None, org.name, org
        raise PermissionDenied("只有管理范围内的党组织工作人员可以以党组织名义回复。")
    if thread.board == Board.REFLECTIONS and not permissions.is_thread_author(user, thread):
        # Staff comments on a reflection always speak for the organisation.
        return None, allowed[0].name, allowed[0]
    if member is not None:
        return member, member.name, None
    return None, _staff_display_name(user), None


def post_create(
    *,
    user,
    thread: Thread,
    body: str,
    body_format: str = "text",
    images=(),
    quote=None,
    organization=None,
) -> Post:
    """A reply. Staff in scope may speak for one of their organisations (`organization`: an
    id or an Organization), which makes it an official reply (党组织回复)."""
    permissions.check_reply_permission(user, thread)
    org_id = organization.pk if isinstance(organization, Organization) else organization
    author_member, author_name, speaking = _reply_identity(user, thread, org_id)
    photos = photos_clean(images)
    clean = body_clean(body, body_format, has_images=bool(photos))
    quoted = None
    if quote not in (None, ""):
        quoted = (
            Post.objects.filter(pk=quote, thread=thread, is_deleted=False).first()
            if parse_int(quote) is not None
            else None
        )
        if quoted is None:
            raise ServiceError("引用的回复不存在或已删除。", field="quote")
    if thread.is_locked and not permissions.in_thread_scope(user, thread):
        raise StateConflict("该主题已锁定，不能再回复。", code="locked")
    _limit_posts(user)

    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.create(
            thread=thread,
            author=user,
            author_member=author_member,
            author_name=author_name,
            organization=speaking,
            body_html=clean.html,
            quote=quoted,
            created_at=now,
            search_text=segment(clean.text),
        )
        _attach_photos(post, photos)
        Thread.objects.filter(pk=thread.pk).update(
            reply_count=F("reply_count") + 1,
            last_post_id=Greatest(F("last_post_id"), post.pk),
            last_posted_at=Greatest(F("last_posted_at"), now),
            last_poster_name=author_name,
        )
        if speaking is not None:
            seconds = max(0, int((now - thread.created_at).total_seconds()))
            Thread.objects.filter(pk=thread.pk, first_official_reply_at__isnull=True).update(
                first_official_reply_at=now, first_official_reply_seconds=seconds
            )
            if thread.board == Board.REFLECTIONS:
                Thread.objects.filter(pk=thread.pk, staff_read_at__isnull=True).update(
                    staff_read_at=now, staff_read_by=user
                )
        thread_mark_read(user=user, thread=thread, post_id=post.pk)
        # The author replying has read the thread up to here: its reply notices too.
        thread_notices_read(user=user, thread=thread, post_ids=range(1, post.pk + 1))
        _notify_thread_author(thread=thread, post=post, user=user, clean_text=clean.text)
        if author_member is not None:
            member_engagement_touch(member_id=author_member.pk, posted_at=now)
    return post


def post_notice_link(post: Post) -> str:
    """Where a notice about a reply takes its reader: the reply, in its thread."""
    return f"/forum/threads/{post.thread_id}/?post={post.pk}#post-{post.pk}"


def thread_notices_read(*, user, thread: Thread, post_ids) -> None:
    """The author saw these replies (the thread page showed them, or the client marked the
    thread read up to them): their notices count as read, so the bell and 我的待办 no longer
    show replies the author has just read. `post_ids`: a set, or a range up to the marker."""
    if not user.is_authenticated or thread.author_id != user.pk:
        return
    prefix = f"/forum/threads/{thread.pk}/?post="

    def seen(link: str) -> bool:
        post_id = parse_int(link[len(prefix) :].split("#", 1)[0])
        return post_id is not None and post_id in post_ids

    notice_mark_read_links(user=user, prefix=prefix, seen=seen)


def _notify_thread_author(*, thread: Thread, post: Post, user, clean_text: str) -> None:
    """The thread's author hears of a reply (not of their own). Official replies and staff
    comments always notify; ordinary replies notify once until the author reads the thread
    again (the dedupe key carries the author's read marker)."""
    if thread.author_id is None or thread.author_id == user.pk:
        return
    link = post_notice_link(post)
    excerpt = clean_text[:NOTICE_EXCERPT] or "[图片]"
    kind_label = thread.get_kind_display()
    if post.organization_id is not None:
        org_name = post.organization.name
        if thread.board == Board.REFLECTIONS:
            kind, title = Notice.Kind.REFLECTION_COMMENT, f"{org_name}点评了您的{kind_label}"
        else:
            kind, title = Notice.Kind.OFFICIAL_REPLY, f"{org_name}回复了您的{kind_label}"
        dedupe = f"forum-post:{post.pk}"
    else:
        marker = (
            ThreadRead.objects.filter(user_id=thread.author_id, thread=thread)
            .values_list("last_read_post_id", flat=True)
            .first()
        ) or 0
        kind, title = Notice.Kind.FORUM_REPLY, f"您的{kind_label}有新回复"
        dedupe = f"forum-reply:{thread.pk}:{marker}"
    notice_publish(
        audience=Audience.user(thread.author),
        kind=kind,
        title=f"{title}：{thread.title}",
        body=f"{post.author_name}：{excerpt}",
        link=link,
        created_by=user,
        dedupe_key=dedupe,
    )


# Edits and deletion ----------------------------------------------------------------------


def post_edit(
    *, user, post: Post, body: str, body_format: str = "text", title: str | None = None
) -> Post:
    """The author edits within the window; the previous body (and title) is kept."""
    thread = post.thread
    permissions.check_view_thread_permission(user, thread)
    if not permissions.is_post_author(user, post):
        raise PermissionDenied("只能编辑自己发布的内容。")
    if post.is_deleted or post.is_hidden:
        raise StateConflict("该回复已删除或被隐藏，不能编辑。")
    if not permissions.edit_window_open(post):
        minutes = settings.FORUM_EDIT_WINDOW_SECONDS // 60
        raise StateConflict(f"发布超过{minutes}分钟后不能再编辑。", code="edit_window_closed")
    new_title = title_clean(title) if post.is_opening and title not in (None, "") else None
    has_images = post.images.exists()
    clean = body_clean(body, body_format, has_images=has_images)
    now = timezone.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        PostRevision.objects.create(
            post=locked,
            body_html=locked.body_html,
            title=thread.title if new_title and new_title != thread.title else "",
            edited_by=user,
        )
        if new_title:
            Thread.objects.filter(pk=thread.pk).update(title=new_title)
            thread.title = new_title
        search = f"{thread.title} {clean.text}" if post.is_opening else clean.text
        Post.objects.filter(pk=post.pk).update(
            body_html=clean.html,
            search_text=segment(search),
            edited_at=now,
            edit_count=F("edit_count") + 1,
        )
    post.refresh_from_db()
    return post


def post_delete(*, user, post: Post) -> Post:
    """Soft delete by the author: the row stays (quotes, reports), the body is no longer shown."""
    permissions.check_view_post_permission(user, post)
    if not permissions.is_post_author(user, post):
        raise PermissionDenied("只能删除自己发布的回复。")
    if post.is_opening:
        raise StateConflict("主题正文不能删除；如需撤下，请联系党组织工作人员。")
    if post.is_deleted:
        raise StateConflict("该回复已删除。")
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(is_deleted=True, deleted_at=now)
    post.is_deleted, post.deleted_at = True, now
    return post
