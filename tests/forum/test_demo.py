import pytest
from django.core.management import call_command

from forum.models import Board, Post, Thread
from members.models import Notice, NoticeRecipient, User

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_both_boards_with_answered_requests_and_typical_issues(capsys):
    call_command("seed_demo", "--members", "60", "--seed", "3")
    out = capsys.readouterr().out
    assert "交流互动: 论坛主题" in out
    assert Thread.objects.filter(board=Board.FORUM).count() >= 10
    assert Thread.objects.filter(board=Board.REFLECTIONS).count() >= 5
    assert (
        Thread.objects.filter(is_typical=True, first_official_reply_at__isnull=False).count() >= 2
    )
    assert Thread.objects.filter(
        board=Board.FORUM, kind__in=["request", "suggestion"], first_official_reply_at__isnull=True
    ).exists()  # something waits in the staff queue
    assert Post.objects.filter(organization__isnull=False).exists()
    for thread in Thread.objects.all():
        assert thread.reply_count == thread.posts.count() - 1
        assert thread.last_post_id == thread.posts.order_by("-id").first().pk
    demo = User.objects.get(member__name="王建军")
    kinds = set(
        Notice.objects.filter(
            pk__in=NoticeRecipient.objects.filter(user=demo).values("notice_id")
        ).values_list("kind", flat=True)
    )
    assert {"forum_reply", "official_reply", "reflection_comment"} <= kinds
    # A second run (with --force) leaves the forum as it is.
    call_command("seed_demo", "--members", "60", "--seed", "3", "--force")
    assert "论坛已有数据" in capsys.readouterr().out
