"""County-tier staff log in with a second factor (TOTP): API, staff login page and admin."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import AuditEvent
from tests import factories
from tests.factories import totp_now

pytestmark = pytest.mark.django_db


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


def staff_api_login(api, username, **extra):
    return api.post(
        "/api/auth/login/",
        {"username": username, "password": factories.PASSWORD, **extra},
        format="json",
        REMOTE_ADDR="10.9.9.9",
    )


def test_county_staff_without_an_authenticator_cannot_get_a_token(api, world):
    response = staff_api_login(api, "county_staff")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_required"
    assert "绑定" in response.json()["detail"]


def test_county_staff_get_400_otp_required_until_a_valid_code_is_given(api, world):
    device = enrolled(world.county_staff)
    missing = staff_api_login(api, "county_staff")
    assert missing.status_code == 400
    assert missing.json() == {"detail": missing.json()["detail"], "code": "otp_required"}
    wrong = staff_api_login(
        api, "county_staff", otp="000000" if totp_now(device) != "000000" else "111111"
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "otp_required"
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        good = staff_api_login(api, "county_staff", otp=totp_now(device))
    assert good.status_code == 200, good.json()
    assert good.json()["token"]


def test_a_wrong_password_with_the_right_code_is_still_refused(api, world):
    device = enrolled(world.county_staff)
    response = api.post(
        "/api/auth/login/",
        {"username": "county_staff", "password": "wrong-pass-123", "otp": totp_now(device)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_committee_staff_need_no_code_unless_they_enrolled(api, world):
    assert staff_api_login(api, "staff_a").status_code == 200
    device = enrolled(world.staff_a)
    assert staff_api_login(api, "staff_a").json()["code"] == "otp_required"
    assert staff_api_login(api, "staff_a", otp=totp_now(device)).status_code == 200


def test_wrong_codes_count_towards_the_lockout(api, world):
    device = enrolled(world.county_staff)
    right = totp_now(device)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(4):
        assert staff_api_login(api, "county_staff", otp=wrong).status_code == 400
    assert staff_api_login(api, "county_staff", otp=wrong).status_code == 429  # the fifth locks
    locked = staff_api_login(api, "county_staff", otp=right)
    assert locked.status_code == 429
    failures = AuditEvent.objects.filter(action="login.failure", detail__reason="second_factor")
    assert failures.count() == 5


def test_malformed_codes_are_answered_with_otp_required(api, world):
    enrolled(world.county_staff)
    for otp in ["12345", "abcdef", "１２３４５６", " ", "12 34 5x"]:  # " " counts as missing
        response = staff_api_login(api, "county_staff", otp=otp)
        assert response.status_code == 400, otp
        assert response.json()["code"] == "otp_required"


def _login_page(client, username="county_staff", password=factories.PASSWORD, next_url=None):
    data = {"as": "staff", "username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data, REMOTE_ADDR="10.7.7.7")


def test_a_county_account_enrols_at_its_first_login_and_reaches_the_admin(world):
    client = Client()
    response = _login_page(client, next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"
    # Not logged in yet: the password alone opens nothing.
    assert client.get("/staff/").status_code == 302

    page = client.get("/accounts/login/verify/")
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'<code class="otp-secret">([A-Z2-7]+)</code>', body).group(1)
    device = TOTPDevice.objects.get(user=world.county_staff, confirmed=False)
    import base64

    assert base64.b32encode(device.bin_key).decode() == secret

    bad = client.post("/accounts/login/verify/", {"otp": "99999x"})
    assert bad.status_code == 400
    assert "otp-secret" not in bad.content.decode()  # the secret is shown once
    done = client.post("/accounts/login/verify/", {"otp": totp_now(device)}, REMOTE_ADDR="10.7.7.7")
    assert done.status_code == 302 and done["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(
        action="second_factor.enrol", actor=world.county_staff
    ).exists()
    success = AuditEvent.objects.get(action="login.success", actor=world.county_staff)
    assert success.ip_address == "10.7.7.7"


def test_reloading_the_enrolment_page_makes_a_new_secret(world):
    client = Client()
    _login_page(client)
    client.get("/accounts/login/verify/")
    first = TOTPDevice.objects.get(user=world.county_staff)
    client.get("/accounts/login/verify/")
    second = TOTPDevice.objects.get(user=world.county_staff)
    assert first.pk != second.pk and first.key != second.key


def test_an_enrolled_county_account_gives_its_code_on_the_login_page(world):
    device = enrolled(world.county_staff)
    client = Client()
    _login_page(client)
    page = client.get("/accounts/login/verify/")
    assert "otp-secret" not in page.content.decode()
    assert "输入动态验证码" in page.content.decode()
    assert client.post("/accounts/login/verify/", {"otp": totp_now(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/staff/").status_code == 200


def test_the_pending_step_expires(world, settings):
    device = enrolled(world.county_staff)
    client = Client()
    _login_page(client)
    later = timezone.now() + timedelta(seconds=settings.OTP_LOGIN_PENDING_SECONDS + 5)
    with time_machine.travel(later):
        response = client.post("/accounts/login/verify/", {"otp": totp_now(device)})
    assert response.status_code == 302 and "as=staff" in response["Location"]
    assert client.get("/staff/").status_code == 302


def test_the_verify_step_without_a_password_step_goes_back_to_login(world):
    response = Client().get("/accounts/login/verify/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unverified_county_session_is_ended(client, world):
    client.force_login(world.county_staff, backend="members.backends.StaffBackend")
    assert client.get("/admin/").status_code == 302
    assert client.get("/staff/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_committee_session_without_a_device_is_not_affected(client, world):
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_form_is_the_staff_login_page(client, world):
    response = client.get("/admin/login/?next=/admin/members/member/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?as=staff&next=")
    assert client.get("/admin/").status_code == 302


def test_add_staff_keeps_working_and_resets_a_lost_authenticator(world, capsys):
    enrolled(world.county_staff)
    call_command(
        "add_staff",
        "county_staff",
        "--password",
        factories.PASSWORD,
        "--tier",
        "county",
        "--organization",
        world.county.code,
        "--reset-otp",
    )
    out = capsys.readouterr().out
    assert "Removed 1 authenticator" in out and "QR code" in out
    assert not TOTPDevice.objects.filter(user=world.county_staff).exists()
    assert AuditEvent.objects.filter(action="second_factor.reset").exists()


def test_committee_staff_bind_an_authenticator_on_their_own_page(api, world):
    client = factories.login_staff(Client(), world.staff_a)
    page = client.get("/staff/second-factor/")
    assert page.status_code == 200 and "尚未绑定" in page.content.decode()
    started = client.post("/staff/second-factor/", {"step": "start"})
    assert 'src="data:image/svg+xml' in started.content.decode()
    device = TOTPDevice.objects.get(user=world.staff_a, confirmed=False)
    assert client.post("/staff/second-factor/", {"otp": "000000x"}).status_code == 400
    done = client.post("/staff/second-factor/", {"otp": totp_now(device)})
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200  # this session counts as verified
    assert "已绑定" in client.get("/staff/second-factor/").content.decode()
    assert staff_api_login(api, "staff_a").json()["code"] == "otp_required"


def test_members_have_no_authenticator_page(world):
    client = Client()
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    assert client.get("/staff/second-factor/").status_code == 403
    assert client.post("/staff/second-factor/", {"step": "start"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_a_right_code_right_after_a_wrong_one_is_accepted(api, world):
    """django-otp's delay after a failure (one second, then two, four …) refused the right code
    typed at once as 不正确或已过期; the lockout counts the wrong codes instead."""
    device = enrolled(world.county_staff)
    with time_machine.travel(timezone.now(), tick=False):
        right = totp_now(device)
        wrong = "123456" if right != "123456" else "654321"
        assert staff_api_login(api, "county_staff", otp=wrong).status_code == 400
        good = staff_api_login(api, "county_staff", otp=right)
    assert good.status_code == 200, good.json()


def test_after_three_wrong_codes_the_delay_holds_and_says_so(api, world):
    from members.services.second_factor import OTP_THROTTLED

    device = enrolled(world.county_staff)
    with time_machine.travel(timezone.now(), tick=False):
        right = totp_now(device)
        wrong = "123456" if right != "123456" else "654321"
        for _ in range(3):
            staff_api_login(api, "county_staff", otp=wrong)
        held = staff_api_login(api, "county_staff", otp=right)
    assert held.status_code == 400 and held.json()["detail"] == OTP_THROTTLED
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert staff_api_login(api, "county_staff", otp=totp_now(device)).status_code == 200


def test_the_login_page_accepts_the_right_code_after_a_mistyped_one(world):
    device = enrolled(world.county_staff)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False):
        _login_page(client)
        right = totp_now(device)
        wrong = "123456" if right != "123456" else "654321"
        mistyped = client.post("/accounts/login/verify/", {"otp": wrong}, REMOTE_ADDR="10.7.7.7")
        assert mistyped.status_code == 400
        response = client.post("/accounts/login/verify/", {"otp": right}, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
