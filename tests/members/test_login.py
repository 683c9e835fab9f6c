from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from members.services.accounts import user_deactivate
from tests import factories

pytestmark = pytest.mark.django_db


def member_login(api, member, password=factories.PASSWORD, ip="10.1.1.1", name=None):
    return api.post(
        "/api/auth/login/",
        {"name": name or member.name, "id_number": member.id_number, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_a_member_logs_in_with_name_id_number_and_password(api, world):
    response = member_login(api, world.member_a)
    assert response.status_code == 200
    token = response.json()["token"]
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()["name"] == "张三"


def test_staff_log_in_with_username_and_password(api, world):
    response = api.post(
        "/api/auth/login/", {"username": "staff_a", "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "case", ["wrong_password", "wrong_name", "unknown_archive", "not_activated"]
)
def test_every_bad_member_login_gets_the_same_message(api, world, case):
    member = world.member_a
    if case == "wrong_password":
        response = member_login(api, member, password="nope-nope-nope")
    elif case == "wrong_name":
        response = member_login(api, member, name="李四")
    elif case == "unknown_archive":
        response = api.post(
            "/api/auth/login/",
            {"name": "张三", "id_number": factories.valid_id_number(), "password": "x" * 10},
            format="json",
        )
    else:
        response = member_login(api, world.member_a2)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "姓名、身份证号码或密码不正确。",
        "code": "invalid_credentials",
    }


def test_a_member_account_cannot_log_in_as_staff_by_username(api, world):
    response = api.post(
        "/api/auth/login/",
        {"username": world.member_a.user.username, "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 400


def test_repeated_wrong_passwords_lock_that_user_out_from_that_address(api, world):
    member = world.member_a
    statuses = [member_login(api, member, password="wrong-wrong-1").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    # Even the right password is refused from that address now ...
    locked = member_login(api, member)
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"]
    # ... but the member can still log in from elsewhere, and others from this address.
    assert member_login(api, member, ip="10.2.2.2").status_code == 200
    assert member_login(api, world.member_b).status_code == 200


def test_lockout_uses_the_configured_proxy_count_not_a_forged_header(api, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member = world.member_a
    for n in range(5):
        api.post(
            "/api/auth/login/",
            {"name": member.name, "id_number": member.id_number, "password": "bad-bad-bad"},
            format="json",
            REMOTE_ADDR="127.0.0.1",
            # The left part is forged by the client; the proxy appended the real address.
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 10.5.5.5",
        )
    response = api.post(
        "/api/auth/login/",
        {"name": member.name, "id_number": member.id_number, "password": factories.PASSWORD},
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 10.5.5.5",
    )
    assert response.status_code == 429


def test_logout_ends_the_token(api, world):
    token, _ = factories.token_for(world.member_a.user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert api.post("/api/auth/logout/", **headers).status_code == 204
    assert api.get("/api/me/", **headers).status_code == 401


def test_deactivating_a_staff_account_ends_its_tokens_and_sessions_at_once(world, client):
    token, _ = factories.token_for(world.staff_a)
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    assert client.get("/api/members/").status_code == 200
    user_deactivate(user=world.staff_a)
    assert client_for_token(token).get("/api/members/").status_code == 401
    assert client.get("/api/members/").status_code in (401, 403)


def test_deactivating_in_the_admin_also_ends_tokens(world):
    token, _ = factories.token_for(world.staff_b)
    world.staff_b.is_active = False
    world.staff_b.save()
    assert client_for_token(token).get("/api/members/").status_code == 401


def test_tokens_expire_after_an_idle_period(world, settings):
    token, _ = factories.token_for(world.member_a.user)
    client = client_for_token(token)
    idle = settings.REST_KNOX["TOKEN_TTL"]
    with time_machine.travel(timezone.now() + idle - timedelta(minutes=30)):
        assert client.get("/api/me/").status_code == 200  # use moves the expiry forward
    with time_machine.travel(timezone.now() + idle + idle - timedelta(hours=1)):
        assert client.get("/api/me/").status_code == 200
    with time_machine.travel(timezone.now() + 3 * idle + timedelta(hours=1)):
        assert client.get("/api/me/").status_code == 401


def client_for_token(token):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_session_login_page_logs_a_member_in(client, world):
    response = client.post(
        "/accounts/login/",
        {"name": "张三", "id_number": world.member_a.id_number, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_the_login_page_shows_one_message_for_bad_credentials(client, world):
    response = client.post(
        "/accounts/login/",
        {"name": "张三", "id_number": world.member_a.id_number, "password": "wrong-password"},
    )
    assert response.status_code == 400
    assert "姓名、身份证号码或密码不正确" in response.content.decode()


def test_a_token_request_reads_token_account_and_member_in_one_query(
    world, django_assert_num_queries
):
    token, _ = factories.token_for(world.member_a.user)
    client = client_for_token(token)
    assert client.get("/api/me/").status_code == 200
    # token with account and member (organisations joined), the archive, its skills
    with django_assert_num_queries(3) as captured:
        response = client.get("/api/me/")
    assert response.status_code == 200 and response.json()["name"] == world.member_a.name
    first = captured.captured_queries[0]["sql"]
    assert "knox_authtoken" in first and "members_member" in first
    assert '"members_member"."id_number"' not in first  # encrypted columns stay deferred


def test_a_token_with_a_known_key_but_a_wrong_secret_is_refused(world):
    token, _ = factories.token_for(world.member_a.user)
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]
    assert client_for_token(forged).get("/api/me/").status_code == 401
    assert client_for_token(token).get("/api/me/").status_code == 200
