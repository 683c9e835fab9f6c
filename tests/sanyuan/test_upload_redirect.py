"""sanyuan.upload.UploadRedirectMiddleware: a form sent by static/js/upload.js (header
`X-Upload: 1`) gets its redirect as `{"location"}`, so that the flash message waits for the
page the person opens; errors and ordinary posts are answered as before."""

import pytest

from forum.models import Thread
from tests import factories

pytestmark = pytest.mark.django_db

THREAD = {"board": "forum", "kind": "request", "title": "请问怎么办理社保转移？", "body": "谢谢"}


@pytest.fixture
def member_client(client):
    world = factories.build_world()
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    return client


def test_an_upload_post_gets_the_next_address_as_json_and_the_message_waits_for_it(member_client):
    response = member_client.post("/forum/new/", THREAD, headers={"X-Upload": "1"})
    assert response.status_code == 200
    thread = Thread.objects.get(title=THREAD["title"])
    assert response.json() == {"location": thread.get_absolute_url()}
    page = member_client.get(response.json()["location"])
    assert "发布成功" in page.content.decode()


def test_an_ordinary_post_is_still_redirected(member_client):
    response = member_client.post("/forum/new/", THREAD)
    assert response.status_code == 302


def test_an_upload_post_with_errors_gets_the_form_with_its_errors(member_client):
    response = member_client.post("/forum/new/", {**THREAD, "title": ""}, headers={"X-Upload": "1"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'id="thread-form"' in response.content.decode()
    assert not Thread.objects.exists()
