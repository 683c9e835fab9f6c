import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_home_page_is_public(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "首页" in response.content.decode()


@pytest.mark.parametrize("url", ["/me/", "/activities/", "/forum/"])
def test_member_pages_ask_anonymous_visitors_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_me_shows_the_masked_id_number_never_the_full_one(client, world):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    body = client.get("/me/").content.decode()
    assert world.member_a.id_number_masked in body
    assert world.member_a.id_number not in body


def test_staff_are_sent_from_me_to_their_workbench(client, world):
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    response = client.get("/me/")
    assert response.status_code == 302 and response.url == "/staff/"
    assert "城关街道党工委" in client.get("/staff/").content.decode()


def test_activation_pages_never_echo_the_full_id_number(client, world):
    member = world.member_a2
    response = client.post(
        "/accounts/activate/",
        {"name": member.name, "id_number": member.id_number, "source": "staff"},
    )
    assert response.status_code == 302
    body = client.get("/accounts/activate/confirm/").content.decode()
    assert member.id_number_masked in body and member.id_number not in body
    # The identity waits in the session encrypted.
    assert member.id_number not in str(dict(client.session))


def test_an_open_redirect_after_login_is_refused(client, world):
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {
            "name": "张三",
            "id_number": world.member_a.id_number,
            "password": factories.PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response.url == "/"


def test_api_docs_and_schema_work_offline(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/auth/register/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
