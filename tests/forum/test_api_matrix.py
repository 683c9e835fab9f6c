"""Every forum endpoint: 401 without credentials, 403 for a signed-in account of no tier (and
for members on staff endpoints), never a 500 for garbage."""

import pytest

from forum.models import Board, Thread
from members.models import User
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(forum_world, media_root):
    thread = ff.thread(forum_world.member_a.user, images=[ff.photo()])
    post = ff.reply(forum_world.member_b.user, thread, "回复")
    from forum import services

    report = services.post_report(user=forum_world.member_a3.user, post=post, reason="spam")
    image = thread.posts.get(is_opening=True).images.get()
    return thread, post, report, image


def endpoints(thread, post, report, image):
    return [
        ("get", "/api/forum/threads/"),
        ("post", "/api/forum/threads/"),
        ("get", f"/api/forum/threads/{thread.pk}/"),
        ("get", f"/api/forum/threads/{thread.pk}/posts/"),
        ("post", f"/api/forum/threads/{thread.pk}/posts/"),
        ("post", f"/api/forum/threads/{thread.pk}/read/"),
        ("post", f"/api/forum/threads/{thread.pk}/share/"),
        ("post", f"/api/forum/threads/{thread.pk}/staff-read/"),
        ("post", f"/api/forum/threads/{thread.pk}/moderation/"),
        ("get", f"/api/forum/posts/{post.pk}/"),
        ("patch", f"/api/forum/posts/{post.pk}/"),
        ("delete", f"/api/forum/posts/{post.pk}/"),
        ("post", f"/api/forum/posts/{post.pk}/moderation/"),
        ("post", f"/api/forum/posts/{post.pk}/reports/"),
        ("get", "/api/forum/reports/"),
        ("post", f"/api/forum/reports/{report.pk}/resolve/"),
        ("get", "/api/forum/queue/"),
        ("get", "/api/forum/stats/"),
        ("get", "/api/forum/search/?q=回复"),
        ("get", f"/api/forum/images/{image.pk}/"),
    ]


def test_without_credentials_every_endpoint_is_401(api, objects):
    for method, url in endpoints(*objects):
        assert getattr(api, method)(url).status_code == 401, (method, url)


def test_an_account_of_no_tier_gets_403_everywhere(objects):
    nobody = client_for(User.objects.create_user(username="nobody", password="x-Long-Pass-1"))
    for method, url in endpoints(*objects):
        assert getattr(nobody, method)(url, {}, format="json").status_code == 403, (method, url)


@pytest.mark.parametrize("url", ["/api/forum/reports/", "/api/forum/queue/", "/api/forum/stats/"])
def test_members_may_not_use_staff_endpoints(forum_world, url):
    assert client_for(forum_world.member_a.user).get(url).status_code == 403


def test_unknown_ids_and_garbage_are_404_or_400_never_500(forum_world):
    client = client_for(forum_world.member_a.user)
    assert client.get("/api/forum/threads/999999/").status_code == 404
    assert client.get("/api/forum/posts/999999/").status_code == 404
    assert client.get("/api/forum/images/999999/").status_code == 404
    for query in (
        "board=nope",
        "kind=nope",
        "cursor=%%%",
        "cursor=WyJuIiwgWyJ4Il1d",
        "page_size=abc",
    ):
        response = client.get(f"/api/forum/threads/?{query}")
        assert response.status_code in (200, 400), query
    assert (
        client.post("/api/forum/threads/", "not json", content_type="application/json").status_code
        == 400
    )
    thread = ff.thread(forum_world.member_a.user)
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts/", {"quote": "abc", "body": "x"}, format="json"
    )
    assert response.status_code == 400


def test_photos_answer_an_image_accept_header(forum_world, objects):
    _, _, _, image = objects
    client = client_for(forum_world.member_b.user)
    response = client.get(f"/api/forum/images/{image.pk}/", HTTP_ACCEPT="image/webp,image/*")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    reflection = ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.REFLECTION,
        title="带照片的心得体会",
        images=[ff.photo()],
    )
    private = reflection.posts.get().images.get()
    response = client.get(f"/api/forum/images/{private.pk}/", HTTP_ACCEPT="image/*")
    assert response.status_code == 404
