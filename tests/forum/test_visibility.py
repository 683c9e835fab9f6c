"""Who sees what: reflections (author, staff in scope, nobody else unless shared) and the
forum board (everyone; hidden threads only the author and staff in scope). Out of scope is
404, in lists and details alike."""

import pytest

from forum import selectors
from forum.models import Board, Thread
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def who(w, name):
    return {
        "author": w.member_a.user,
        "other_member_same_branch_tree": w.member_a3.user,
        "member_elsewhere": w.member_b.user,
        "staff_a": w.staff_a,
        "staff_b": w.staff_b,
        "county": w.county_staff,
    }[name]


@pytest.fixture
def reflection(forum_world):
    return ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.THOUGHT_REPORT,
        title="2026年第三季度思想汇报",
        body="本季度我在深圳工地坚持学习……",
    )


READERS = {
    "author": True,
    "other_member_same_branch_tree": False,
    "member_elsewhere": False,
    "staff_a": True,
    "staff_b": False,
    "county": True,
}


@pytest.mark.parametrize(("reader", "sees"), READERS.items())
def test_a_private_reflection_is_seen_by_the_author_and_staff_in_scope_only(
    forum_world, reflection, reader, sees
):
    client = client_for(who(forum_world, reader))
    detail = client.get(f"/api/forum/threads/{reflection.pk}/")
    assert detail.status_code == (200 if sees else 404)
    posts = client.get(f"/api/forum/threads/{reflection.pk}/posts/")
    assert posts.status_code == (200 if sees else 404)
    listed = client.get("/api/forum/threads/?board=reflections")
    assert listed.status_code == 200
    assert (reflection.pk in {row["id"] for row in listed.json()["results"]}) is sees


@pytest.mark.parametrize("reader", READERS)
def test_a_shared_reflection_is_seen_by_everyone(forum_world, reflection, reader):
    response = client_for(forum_world.member_a.user).post(
        f"/api/forum/threads/{reflection.pk}/share/", {"shared": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_shared"] is True
    client = client_for(who(forum_world, reader))
    assert client.get(f"/api/forum/threads/{reflection.pk}/").status_code == 200
    shared = client.get("/api/forum/threads/?board=reflections&shared=1").json()["results"]
    assert [row["id"] for row in shared] == [reflection.pk]


def test_only_the_author_may_share_a_reflection(forum_world, reflection):
    for user, expected in (
        (forum_world.staff_a, 403),
        (forum_world.member_a3.user, 404),
        (forum_world.member_b.user, 404),
    ):
        response = client_for(user).post(
            f"/api/forum/threads/{reflection.pk}/share/", {"shared": True}, format="json"
        )
        assert response.status_code == expected
    reflection.refresh_from_db()
    assert reflection.is_shared is False


def test_anonymous_and_accountless_users_get_nothing(forum_world, reflection, api):
    assert api.get("/api/forum/threads/").status_code == 401
    assert api.get(f"/api/forum/threads/{reflection.pk}/").status_code == 401
    from members.models import User

    nobody = User.objects.create_user(username="nobody", password="x-Long-Pass-1")
    assert client_for(nobody).get("/api/forum/threads/").status_code == 403
    assert not selectors.thread_list(user=nobody, board=Board.FORUM).results


def test_the_forum_board_is_read_by_every_member_and_staff(forum_world):
    thread = ff.thread(forum_world.member_a.user, title="老家孩子上学的事想咨询一下")
    for name in READERS:
        client = client_for(who(forum_world, name))
        assert client.get(f"/api/forum/threads/{thread.pk}/").status_code == 200
        ids = {row["id"] for row in client.get("/api/forum/threads/").json()["results"]}
        assert thread.pk in ids


@pytest.mark.parametrize(
    ("reader", "sees"),
    [
        ("author", True),
        ("member_elsewhere", False),
        ("other_member_same_branch_tree", False),
        ("staff_a", True),
        ("staff_b", False),
        ("county", True),
    ],
)
def test_a_hidden_forum_thread_is_seen_by_its_author_and_staff_in_scope(forum_world, reader, sees):
    from forum import services

    thread = ff.thread(forum_world.member_a.user, title="一个将被隐藏的主题")
    services.thread_moderate(user=forum_world.staff_a, thread=thread, action="hide", reason="广告")
    client = client_for(who(forum_world, reader))
    assert client.get(f"/api/forum/threads/{thread.pk}/").status_code == (200 if sees else 404)
    ids = {row["id"] for row in client.get("/api/forum/threads/").json()["results"]}
    assert (thread.pk in ids) is sees


def test_members_cannot_reply_to_someone_elses_shared_reflection(forum_world, reflection):
    from forum import services

    services.thread_share_set(user=forum_world.member_a.user, thread=reflection, shared=True)
    response = client_for(forum_world.member_b.user).post(
        f"/api/forum/threads/{reflection.pk}/posts/", {"body": "写得好"}, format="json"
    )
    assert response.status_code == 403
    assert reflection.posts.count() == 1


def test_reflection_photos_are_served_only_to_those_who_see_the_reflection(forum_world, media_root):
    thread = ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.STUDY_SUMMARY,
        title="党课学习小结（附笔记照片）",
        body="笔记见图",
        images=[ff.photo()],
    )
    image = thread.posts.get().images.get()
    url = f"/api/forum/images/{image.pk}/"
    for name, expected in READERS.items():
        response = client_for(who(forum_world, name)).get(url)
        assert response.status_code == (200 if expected else 404), name
        if expected:
            assert response["Content-Type"] == "image/jpeg"
            assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(forum_world.member_a.user).get(url + "?size=thumb").status_code == 200
