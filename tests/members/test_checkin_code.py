"""报到码 (issue 20 item 9): RFC 6238 TOTP with ten-minute steps, a secret per phone handed out
once and stored encrypted, accepted within one step either side and once, typed by host staff
on the hosting page, five tries per member per hour."""

import time

import pytest
from django.db import connection

from members.models import AuditEvent, CheckinSecret, Hosting, Member, Organization
from members.services import checkin
from tests import factories

pytestmark = pytest.mark.django_db

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"


@pytest.fixture
def host(world):
    world.host = factories.organization(
        "深圳市宝安区流动党员服务中心党委", Organization.Kind.HOST, None, code="HOST-SZ"
    )
    world.host_staff = factories.staff("host_staff", "committee", world.host)
    return world


def _issue(member) -> str:
    return checkin.checkin_secret_issue(member=member)


def _host_client(client, w):
    return factories.login_staff(client, w.host_staff)


def _post_code(client, w, code, *, name=None, id_number=None):
    return client.post(
        "/staff/hosting/code/",
        {
            "name": name or w.member_a.name,
            "id_number": id_number or w.member_a.id_number,
            "code": code,
            "host": w.host.pk,
        },
    )


@pytest.mark.parametrize(
    ("rfc_time", "code"),
    # RFC 6238 appendix B (SHA-1), whose counters are time // 30: the same counters at
    # ten-minute steps, truncated to six digits (the RFC's eight-digit codes end with these).
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_totp_matches_the_rfc_6238_vectors_at_ten_minute_steps(rfc_time, code):
    step = rfc_time // 30
    assert checkin.totp(RFC_SECRET, step) == code
    assert checkin.current_step(step * 600 + 599) == step


def test_a_code_is_good_one_step_either_side_of_now_and_not_two(world):
    secret = _issue(world.member_a)
    now = time.time()
    step = checkin.current_step(now)
    for offset in (-2, 2):
        code = checkin.totp(secret, step + offset)
        assert not checkin.checkin_code_match(member=world.member_a, code=code, now=now)
    for offset in (-1, 0, 1):
        code = checkin.totp(secret, step + offset)
        assert checkin.checkin_code_match(member=world.member_a, code=code, now=now)


def test_a_code_is_accepted_once_and_never_an_older_one_after_it(world):
    secret = _issue(world.member_a)
    now = time.time()
    step = checkin.current_step(now)
    code = checkin.totp(secret, step)
    assert checkin.checkin_code_match(member=world.member_a, code=code, now=now)
    assert not checkin.checkin_code_match(member=world.member_a, code=code, now=now)
    older = checkin.totp(secret, step - 1)
    assert not checkin.checkin_code_match(member=world.member_a, code=older, now=now)


def test_another_members_code_or_junk_does_not_match(world):
    secret_b = _issue(world.member_b)
    _issue(world.member_a)
    step = checkin.current_step()
    assert not checkin.checkin_code_match(member=world.member_a, code=checkin.totp(secret_b, step))
    for junk in ("", "12345", "1234567", "12a456", None):
        assert not checkin.checkin_code_match(member=world.member_a, code=junk)


def test_the_secret_is_encrypted_at_rest_and_each_phone_gets_its_own(world):
    first, second = _issue(world.member_a), _issue(world.member_a)
    assert first != second and len(first) == 32
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM members_checkinsecret")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2 and not {first, second} & set(stored)
    for _ in range(checkin.SECRETS_KEPT + 2):
        _issue(world.member_a)
    assert CheckinSecret.objects.filter(member=world.member_a).count() == checkin.SECRETS_KEPT


def test_the_qr_page_hands_this_phone_its_secret_once_per_request(world, client):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    response = client.post("/me/qr/secret/")
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["step"] == 600 and data["digits"] == 6
    row = CheckinSecret.objects.get(member=world.member_a)
    assert row.secret == data["secret"]
    assert AuditEvent.objects.filter(action="hosting.checkin_secret").count() == 1
    assert client.get("/me/qr/secret/").status_code == 405


def test_the_qr_card_endpoint_gives_a_fresh_code_and_its_lifetime(world, client):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    response = client.get("/me/qr/card/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["seconds"] == 600 and data["svg"].startswith("<svg")
    page = client.get("/me/qr/").content.decode()
    assert 'data-seconds="600"' in page and "data-qr-clock" in page and "报到码" in page


def test_host_staff_record_an_arrival_with_the_code(host, client):
    w = host
    secret = _issue(w.member_a)
    client = _host_client(client, w)
    assert "输入报到码" in client.get("/staff/hosting/").content.decode()
    response = _post_code(client, w, checkin.totp(secret, checkin.current_step()))
    assert response.status_code == 302
    hosting = Hosting.objects.get(member=w.member_a)
    assert hosting.status == "accepted" and hosting.via == "code"
    assert Member.objects.get(pk=w.member_a.pk).host_organization == w.host
    assert AuditEvent.objects.filter(action="hosting.checkin", actor=w.host_staff).exists()


def test_a_wrong_code_or_person_gets_one_chinese_message_and_nothing_changes(host, client):
    w = host
    secret = _issue(w.member_a)
    client = _host_client(client, w)
    right = checkin.totp(secret, checkin.current_step())
    wrong = "000000" if right != "000000" else "111111"
    for response in (
        _post_code(client, w, wrong),
        _post_code(client, w, right, name="张冒名"),
        _post_code(client, w, right, id_number="not-an-id"),
    ):
        assert response.status_code == 400
        assert checkin.WRONG in response.content.decode()
    assert not Hosting.objects.exists()
    assert AuditEvent.objects.filter(action="hosting.checkin_wrong").count() == 1


def test_five_tries_per_member_per_hour_then_even_the_right_code_waits(host, client):
    w = host
    secret = _issue(w.member_a)
    _issue(w.member_b)
    client = _host_client(client, w)
    right = checkin.totp(secret, checkin.current_step())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(checkin.CHECKIN_TRIES):
        assert _post_code(client, w, wrong).status_code == 400
    response = _post_code(client, w, right)
    assert response.status_code == 429
    assert "1小时后再试" in response.content.decode()
    assert not Hosting.objects.exists()
    assert AuditEvent.objects.filter(action="hosting.checkin_throttled").count() == 1
    # Another member's tries are their own.
    other = _post_code(client, w, wrong, name=w.member_b.name, id_number=w.member_b.id_number)
    assert other.status_code == 400


def test_staff_without_a_host_grant_cannot_record_an_arrival(host, client):
    w = host
    secret = _issue(w.member_a)
    client = factories.login_staff(client, w.staff_a)
    response = _post_code(client, w, checkin.totp(secret, checkin.current_step()))
    assert response.status_code == 302
    assert not Hosting.objects.exists()
    assert CheckinSecret.objects.get().last_step == 0
