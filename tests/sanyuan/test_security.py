"""Security headers, cookies, request limits, error pages and idle sessions."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["worker-src"] == "'self'" and directives["manifest-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_and_api_carry_the_other_security_headers(client):
    for url in ["/accounts/login/", "/api/articles/", "/api/docs/", "/admin/login/"]:
        response = client.get(url, secure=True)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert "camera=()" in response["Permissions-Policy"], url
        assert "geolocation=()" in response["Permissions-Policy"], url
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), url


def test_session_and_csrf_cookies_are_secure_and_http_only(world):
    client = Client()
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/accounts/login/",
        {
            "name": world.member_a.name,
            "id_number": world.member_a.id_number,
            "password": factories.PASSWORD,
        },
    )
    assert response.status_code == 302
    cookie = client.cookies["sessionid"]
    assert cookie["secure"] is True and cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_csrf_is_enforced_on_pages(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/",
        {
            "name": world.member_a.name,
            "id_number": world.member_a.id_number,
            "password": factories.PASSWORD,
        },
    )
    assert response.status_code == 403


def test_an_oversized_json_body_gets_a_chinese_413(world, settings):
    api = client_for(world.member_a.user)
    body = json.dumps({"phone": "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    response = api.generic("PATCH", "/api/me/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "过大" in response.json()["detail"]


def test_a_body_over_the_request_limit_is_refused_before_it_is_read(world, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000
    api = client_for(world.member_a.user)
    response = api.post("/api/me/change-requests/", {"reason": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "提交的内容过大，请压缩图片或分几次上传。",
        "code": "too_large",
    }
    page = Client().post("/accounts/login/", {"name": "x" * 2000})
    assert page.status_code == 413
    assert "提交的内容过大" in page.content.decode()


def test_a_malformed_content_length_is_a_400(client):
    response = client.post(
        "/api/auth/login/", b"{}", content_type="application/json", CONTENT_LENGTH="abc"
    )
    assert response.status_code == 400


def test_too_many_files_get_a_chinese_400(world, settings):
    api = client_for(world.member_a.user)
    files = [
        SimpleUploadedFile(f"f{i}.jpg", b"x", content_type="image/jpeg")
        for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    response = api.post(
        "/api/me/change-requests/",
        {"changes": '{"employer": "x"}', "reason": "换工作了", "evidence": files},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert world.member_a.change_requests.count() == 0


def test_too_many_fields_get_a_chinese_400(client, settings):
    data = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5))
    response = client.post(
        "/accounts/login/", data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "字段过多" in response.content.decode()


def test_a_forged_host_header_gets_a_chinese_400_not_a_500(client):
    for host in [
        "evil.example.com",
        "[::1",
        "a" * 300,
        "testserver\r\nX-Injected: 1",
    ]:
        response = client.get("/api/articles/", HTTP_HOST=host)
        assert response.status_code == 400, host
        assert response.json()["code"] == "bad_host"


def test_unknown_api_urls_answer_json_404_in_chinese(client):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()


def test_oversized_and_odd_headers_do_not_break_anything(world):
    api = client_for(None)
    assert api.get("/api/me/", HTTP_AUTHORIZATION="Token " + "a" * 100_000).status_code == 401
    # A NUL in a token used to reach PostgreSQL and end in a 500 (psycopg2 ValueError).
    assert api.get("/api/me/", HTTP_AUTHORIZATION="Token \x00\x01").status_code == 400
    assert api.get("/api/forum/search/?q=%00").status_code == 400
    assert api.get("/api/articles/", HTTP_COOKIE="sessionid=\x00").status_code == 400
    assert api.get("/api/articles/", HTTP_ACCEPT_LANGUAGE="x" * 50_000).status_code == 200
    assert (
        api.get("/api/articles/", HTTP_X_FORWARDED_FOR=", ".join(["1.2.3.4"] * 5000)).status_code
        == 200
    )
    assert api.get("/api/articles/", HTTP_X_FORWARDED_PROTO="gopher").status_code == 200


def test_a_member_session_ends_after_the_idle_period_not_a_fixed_age(world, settings):
    client = Client()
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    idle = settings.SESSION_IDLE_SECONDS
    start = timezone.now()
    # Used every (idle - 1 hour): still signed in well past one idle period in total.
    for step in range(1, 4):
        with time_machine.travel(start + timedelta(seconds=step * (idle - 3600))):
            assert client.get("/me/").status_code == 200, step
    with time_machine.travel(start + timedelta(seconds=3 * (idle - 3600) + idle + 60)):
        response = client.get("/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_staff_session_idles_out_sooner(world, settings):
    client = Client()
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    assert client.get("/staff/").status_code == 200
    later = timezone.now() + timedelta(seconds=settings.STAFF_SESSION_IDLE_SECONDS + 60)
    with time_machine.travel(later):
        assert client.get("/staff/").status_code == 302
    assert settings.STAFF_SESSION_IDLE_SECONDS < settings.SESSION_IDLE_SECONDS


def test_the_session_cookie_expires_with_the_idle_period(world, settings):
    client = Client()
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    client.get("/staff/")
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_SECONDS


def test_production_hashes_passwords_with_argon2():
    from sanyuan import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
