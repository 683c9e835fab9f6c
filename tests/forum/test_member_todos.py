"""首页 → 我的待办: official replies to the member's own threads since the member last read
them (issue 20 round two, item 3's "new official replies")."""

import pytest

from forum import services
from forum.models import Board
from forum.todos import member_todos
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def _todo(user):
    found = [t for t in member_todos(user) if t["label"] == "党组织的新回复"]
    return found[0] if found else None


def test_new_official_replies_are_counted_until_the_member_reads_them(forum_world):
    w = forum_world
    member = w.member_a.user
    thread = ff.thread(member)
    other = ff.thread(w.member_a3.user, title="别人的诉求")
    assert _todo(member) is None
    ff.reply(w.member_a3.user, thread, body="我也想知道")  # not official: not counted
    first = ff.reply(w.staff_a, thread, body="已收到，正在办理。", organization=w.committee_a)
    ff.reply(w.staff_a, thread, body="已经办好了。", organization=w.committee_a)
    ff.reply(w.staff_a, other, body="别人的回复", organization=w.committee_a)
    todo = _todo(member)
    assert todo["count"] == 2
    assert todo["url"] == f"/forum/threads/{thread.pk}/?post={first.pk}#post-{first.pk}"
    services.thread_mark_read(user=member, thread=thread, post_id=first.pk)
    assert _todo(member)["count"] == 1
    services.thread_mark_read(user=member, thread=thread, post_id=first.pk + 100)
    assert _todo(member) is None


def test_a_staff_comment_on_a_reflection_counts_and_a_hidden_reply_does_not(forum_world):
    w = forum_world
    member = w.member_a.user
    reflection = ff.thread(member, board=Board.REFLECTIONS, title="学习心得")
    ff.reply(w.staff_a, reflection, body="写得很好。", organization=w.committee_a)
    assert _todo(member)["count"] == 1
    thread = ff.thread(member)
    hidden = ff.reply(w.staff_a, thread, body="答复", organization=w.committee_a)
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])
    assert _todo(member)["count"] == 1


def test_the_home_page_shows_the_count_with_a_link_in_few_queries(
    forum_world, client, django_assert_max_num_queries
):
    w = forum_world
    thread = ff.thread(w.member_a.user)
    for n in range(3):
        ff.reply(w.staff_a, thread, body=f"答复{n}", organization=w.committee_a)
    with django_assert_max_num_queries(2):
        assert _todo(w.member_a.user)["count"] == 3
    client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    page = client.get("/").content.decode()
    assert "党组织的新回复" in page and f"/forum/threads/{thread.pk}/" in page
    assert member_todos(w.staff_a) == []
