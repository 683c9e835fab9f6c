"""Phone + code login for members (issue 18 item 4): the code goes by the one-time-code SMS
path, signs in only an activated archive whose phone was confirmed within
PHONE_CONFIRMED_DAYS, asks the name where a number serves several archives, and fails like a
wrong password (same lockout, same throttles, one sentence)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from members.models import Member, OneTimeCode
from members.services.archive import member_contact_update
from sanyuan.models import LoginThrottle
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REQUEST = "/api/auth/login-code/"
VERIFY = "/api/auth/login-code/verify/"
GENERIC = "手机号码或验证码不正确，或验证码已失效。"


@pytest.fixture
def confirmed(world):
    """world.member_a: activated, phone confirmed a month ago."""
    member = world.member_a
    Member.objects.filter(pk=member.pk).update(
        phone_confirmed_at=timezone.now() - timedelta(days=30)
    )
    return member


@pytest.fixture
def ask(api, django_capture_on_commit_callbacks):
    def send(phone, ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(REQUEST, {"phone": phone}, format="json", REMOTE_ADDR=ip)

    return send


def codes_to(sms_outbox, phone):
    return [
        m["params"]["code"]
        for m in sms_outbox.messages()
        if m["phone"] == phone and m["template"] == "one_time_code"
    ]


def verify(api, phone, code, ip="10.0.0.1", **extra):
    return api.post(VERIFY, {"phone": phone, "code": code, **extra}, format="json", REMOTE_ADDR=ip)


def test_a_member_signs_in_with_phone_and_code_and_gets_the_password_logins_token_body(
    ask, api, confirmed, sms_outbox
):
    answer = ask(confirmed.phone)
    assert answer.status_code == 202
    [code] = codes_to(sms_outbox, confirmed.phone)
    response = verify(api, confirmed.phone, code)
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"token", "expiry"}
    me = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.status_code == 200 and me.json()["id"] == confirmed.pk
    confirmed.refresh_from_db()
    assert confirmed.phone_confirmed_at > timezone.now() - timedelta(minutes=1)
    # Single use.
    again = verify(api, confirmed.phone, code)
    assert again.status_code == 400 and again.json()["detail"] == GENERIC


def test_the_request_answers_alike_whether_or_not_the_number_may_sign_in(
    ask, world, confirmed, sms_outbox
):
    unconfirmed = world.member_b  # activated, phone never confirmed
    pending = world.member_a2  # not activated
    Member.objects.filter(pk=pending.pk).update(phone_confirmed_at=timezone.now())
    answers = [
        ask(phone, ip=f"10.0.1.{n}")
        for n, phone in enumerate(
            [confirmed.phone, unconfirmed.phone, pending.phone, "13312345678"]
        )
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    assert codes_to(sms_outbox, confirmed.phone)
    for phone in (unconfirmed.phone, pending.phone, "13312345678"):
        assert codes_to(sms_outbox, phone) == []


def test_a_phone_confirmed_longer_ago_than_phone_confirmed_days_gets_no_code(
    ask, confirmed, sms_outbox, settings
):
    Member.objects.filter(pk=confirmed.pk).update(
        phone_confirmed_at=timezone.now() - timedelta(days=settings.PHONE_CONFIRMED_DAYS + 1)
    )
    assert ask(confirmed.phone).status_code == 202
    assert codes_to(sms_outbox, confirmed.phone) == []


def test_a_wrong_or_expired_code_fails_with_one_sentence_and_counts_as_a_failed_login(
    ask, api, confirmed, sms_outbox
):
    ask(confirmed.phone)
    [code] = codes_to(sms_outbox, confirmed.phone)
    wrong = "000000" if code != "000000" else "111111"
    response = verify(api, confirmed.phone, wrong)
    assert response.status_code == 400 and response.json()["detail"] == GENERIC
    assert LoginThrottle.objects.get(kind="account", key__startswith="phone:").failures == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        expired = verify(api, confirmed.phone, code)
    assert expired.status_code == 400 and expired.json()["detail"] == GENERIC
    # The same answer for a number nobody registered.
    nobody = verify(api, "13312345678", "123456")
    assert nobody.status_code == 400 and nobody.json()["detail"] == GENERIC


def test_repeated_wrong_codes_lock_the_number_out_on_that_address_like_wrong_passwords(
    ask, api, confirmed, sms_outbox, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        verify(api, confirmed.phone, "000001")
    ask(confirmed.phone, ip="10.0.9.9")
    [code] = codes_to(sms_outbox, confirmed.phone)
    locked = verify(api, confirmed.phone, code)
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"]
    # Another address is not locked out by these failures.
    assert verify(api, confirmed.phone, code, ip="10.0.9.9").status_code == 200


def test_five_wrong_tries_kill_the_code(ask, api, confirmed, sms_outbox, settings):
    ask(confirmed.phone)
    [code] = codes_to(sms_outbox, confirmed.phone)
    for n in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS):
        verify(api, confirmed.phone, "000002", ip=f"10.0.2.{n}")
    assert verify(api, confirmed.phone, code, ip="10.0.3.1").status_code == 400
    assert OneTimeCode.objects.get(member=confirmed, channel="login").voided_at is not None


def test_a_number_shared_by_two_archives_sends_one_text_and_asks_the_name(
    ask, api, world, confirmed, sms_outbox
):
    other = world.member_b
    Member.objects.filter(pk=other.pk).update(
        phone=confirmed.phone, phone_confirmed_at=timezone.now()
    )
    ask(confirmed.phone)
    [code] = codes_to(sms_outbox, confirmed.phone)
    # A wrong code does not learn that the number serves several archives.
    wrong = verify(api, confirmed.phone, "000003" if code != "000003" else "000004")
    assert wrong.status_code == 400 and wrong.json()["detail"] == GENERIC
    asked = verify(api, confirmed.phone, code)
    assert asked.status_code == 400 and asked.json()["code"] == "name_required"
    signed_in = verify(api, confirmed.phone, code, name=other.name)
    assert signed_in.status_code == 200
    token = signed_in.json()["token"]
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()["id"] == other.pk
    # The code is spent for both archives.
    assert verify(api, confirmed.phone, code, name=confirmed.name).status_code == 400


def test_the_request_is_throttled_per_number_whether_registered_or_not(ask):
    for phone in ("13312345678", "13412345678"):
        assert ask(phone, ip="10.0.4.1").status_code == 202
        assert ask(phone, ip="10.0.4.2").status_code == 429


def test_a_new_number_is_unconfirmed_until_a_code_sent_to_it_is_typed_back(confirmed):
    member = Member.objects.get(pk=confirmed.pk)
    member_contact_update(member=member, phone="13698765432")
    member.refresh_from_db()
    assert member.phone_confirmed_at is None


def test_activation_by_sms_confirms_the_phone_and_a_staff_code_does_not(
    api, world, sms_outbox, django_capture_on_commit_callbacks
):
    pending = world.member_a2
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/auth/activation-code/",
            {"name": pending.name, "id_number": pending.id_number},
            format="json",
        )
    [code] = codes_to(sms_outbox, pending.phone)
    body = {
        "name": pending.name,
        "id_number": pending.id_number,
        "code": code,
        "password": "Grassland-Wind-42",
        "accept_privacy_notice": True,
    }
    assert api.post("/api/auth/register/", body, format="json").status_code == 201
    pending.refresh_from_db()
    assert pending.phone_confirmed_at is not None

    staff_code = client_for(world.county_staff).post(
        f"/api/members/{world.member_b.pk}/activation-code/", {"reason": "换了手机"}, format="json"
    )
    assert staff_code.status_code == 201
    reset = {
        "name": world.member_b.name,
        "id_number": world.member_b.id_number,
        "code": staff_code.json()["code"],
        "password": "Grassland-Wind-43",
    }
    assert api.post("/api/auth/password-reset/", reset, format="json").status_code == 200
    world.member_b.refresh_from_db()
    assert world.member_b.phone_confirmed_at is None


def test_a_login_code_does_not_reset_a_password(ask, api, confirmed, sms_outbox):
    ask(confirmed.phone)
    [code] = codes_to(sms_outbox, confirmed.phone)
    reset = {
        "name": confirmed.name,
        "id_number": confirmed.id_number,
        "code": code,
        "password": "Grassland-Wind-44",
    }
    assert api.post("/api/auth/password-reset/", reset, format="json").status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "13812345678", "code": "12ab56"}, "code"),
        ({"phone": ["13812345678"], "code": "123456"}, "phone"),
    ],
)
def test_malformed_input_gets_a_chinese_400(api, body, field):
    response = api.post(VERIFY, {"code": "123456", **body}, format="json")
    assert response.status_code == 400
    text = str(response.json())
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_web_page_sends_a_code_and_signs_the_member_in(
    confirmed, sms_outbox, django_capture_on_commit_callbacks
):
    from django.test import Client

    client = Client()
    assert "短信验证码登录" in client.get("/accounts/login/").content.decode()
    page = client.get("/accounts/login/phone/")
    assert page.status_code == 200 and "获取验证码" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/login/phone/", {"phone": confirmed.phone, "send": "1"})
    assert "验证码已发送" in sent.content.decode()
    [code] = codes_to(sms_outbox, confirmed.phone)
    wrong = client.post(
        "/accounts/login/phone/", {"phone": confirmed.phone, "code": "000009", "login": "1"}
    )
    assert wrong.status_code == 400 and GENERIC in wrong.content.decode()
    signed_in = client.post(
        "/accounts/login/phone/", {"phone": confirmed.phone, "code": code, "login": "1"}
    )
    assert signed_in.status_code == 302
    assert client.get("/me/").status_code == 200
