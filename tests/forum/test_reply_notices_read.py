"""Reading the replies in the thread also reads their notices: the bell does not keep
counting official replies the member has just read on the thread page (or marked read
through the API), and only the replies seen count."""

import pytest
from django.test import Client

from members.selectors import notice_unread_count
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def _member_client(user):
    client = Client()
    client.force_login(user, backend="members.backends.MemberBackend")
    return client


def test_reading_the_thread_page_reads_the_notices_of_the_replies_shown(forum_world):
    w = forum_world
    member = w.member_a.user
    thread = ff.thread(member)
    other = ff.thread(member, title="另一个诉求")
    first = ff.reply(w.staff_a, thread, body="已收到，正在办理。", organization=w.committee_a)
    ff.reply(w.staff_a, thread, body="已经办好了。", organization=w.committee_a)
    ff.reply(w.staff_a, other, body="另一处的答复", organization=w.committee_a)
    assert notice_unread_count(user=member) == 3

    # Somebody else reading the thread reads nobody's notices.
    _member_client(w.member_a3.user).get(f"/forum/threads/{thread.pk}/")
    assert notice_unread_count(user=member) == 3

    page = _member_client(member).get(f"/forum/threads/{thread.pk}/?post={first.pk}")
    assert page.status_code == 200
    assert notice_unread_count(user=member) == 1  # the other thread's reply is still unread
    inbox = _member_client(member).get("/notices/").content.decode()
    assert "另一个诉求" in inbox


def test_marking_read_through_the_api_reads_the_notices_up_to_the_marker(forum_world):
    w = forum_world
    member = w.member_a.user
    thread = ff.thread(member)
    first = ff.reply(w.staff_a, thread, body="第一条答复", organization=w.committee_a)
    ff.reply(w.staff_a, thread, body="第二条答复", organization=w.committee_a)
    api = client_for(member)
    url = f"/api/forum/threads/{thread.pk}/read/"
    assert api.post(url, {"post": first.pk}, format="json").status_code == 204
    assert notice_unread_count(user=member) == 1
    assert api.post(url, {}, format="json").status_code == 204
    assert notice_unread_count(user=member) == 0


def test_the_author_replying_through_the_api_has_read_the_replies_before(forum_world):
    w = forum_world
    member = w.member_a.user
    thread = ff.thread(member)
    ff.reply(w.staff_a, thread, body="请补充材料", organization=w.committee_a)
    assert notice_unread_count(user=member) == 1
    answer = client_for(member).post(
        f"/api/forum/threads/{thread.pk}/posts/", {"body": "已经补充好了"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert notice_unread_count(user=member) == 0
