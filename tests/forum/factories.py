"""Forum test data: through the services (as the product does), or in bulk for size tests."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from forum import services
from forum.models import Board, Post, Thread
from sanyuan.search import segment


def photo(name="photo.jpg", size=(64, 48), color=(200, 30, 30), exif: bytes | None = None):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def thread(
    user, *, board=Board.FORUM, kind=None, title="请问社保转移怎么办理", body="正文内容", **kw
):
    kind = kind or (Thread.Kind.REQUEST if board == Board.FORUM else Thread.Kind.THOUGHT_REPORT)
    return services.thread_create(user=user, board=board, kind=kind, title=title, body=body, **kw)


def reply(user, thread, body="回复内容", **kw):
    return services.post_create(user=user, thread=thread, body=body, **kw)


def bulk_posts(thread: Thread, count: int, *, author_member=None, author=None) -> list[Post]:
    """Many replies at once (no services, no limits), counters kept right."""
    now = timezone.now()
    rows = [
        Post(
            thread=thread,
            author=author,
            author_member=author_member,
            author_name=author_member.name if author_member else "某党员",
            body_html=f"<p>第{i}条回复</p>",
            created_at=now,
            search_text=segment(f"第{i}条回复"),
        )
        for i in range(count)
    ]
    Post.objects.bulk_create(rows, batch_size=1000)
    last = Post.objects.filter(thread=thread).order_by("-id").first()
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=Post.objects.filter(thread=thread, is_opening=False).count(),
        last_post_id=last.pk,
        last_posted_at=now,
    )
    thread.refresh_from_db()
    return rows


def bulk_threads(organization, count: int, *, board=Board.FORUM, kind=Thread.Kind.MESSAGE):
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        [
            Thread(
                board=board,
                kind=kind,
                title=f"批量主题{i}",
                organization=organization,
                author_name="某党员",
                last_posted_at=now - timedelta(seconds=i),
                created_at=now - timedelta(seconds=i),
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    return threads
