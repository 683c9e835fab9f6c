"""记住我 (issue 20, item 5): a phone that remembers its member asks only for the password,
holds a random HttpOnly token (never the ID number), idles out after
MEMBER_REMEMBER_IDLE_SECONDS, and is listed and removable in 我的 → 登录设备. Without 记住我
the session idles out after SESSION_IDLE_SECONDS."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from members.models import AuditEvent, RememberedDevice
from tests import factories

pytestmark = pytest.mark.django_db

COOKIE = "sanyuan_device"
PHONE_UA = "Mozilla/5.0 (Linux; Android 12; HUAWEI P40) AppleWebKit/537.36 Chrome/120 Mobile"


def log_in(client, member, *, remember, password=factories.PASSWORD):
    return client.post(
        "/accounts/login/",
        {
            "name": member.name,
            "id_number": member.id_number,
            "password": password,
            **({"remember": "on"} if remember else {}),
        },
        headers={"User-Agent": PHONE_UA},
    )


def log_out(client):
    client.post("/accounts/logout/")


def test_remember_me_sets_an_httponly_token_and_the_login_page_then_asks_only_the_password(world):
    member = world.member_a
    client = Client()
    response = log_in(client, member, remember=True)
    assert response.status_code == 302
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.MEMBER_REMEMBER_IDLE_SECONDS
    assert member.id_number not in cookie.value and member.id_number[-4:] not in cookie.value
    assert client.session.get_expiry_age() == settings.MEMBER_REMEMBER_IDLE_SECONDS
    device = RememberedDevice.objects.get(user=member.user)
    assert device.label == "华为手机（浏览器）" and device.token_hash != cookie.value
    assert AuditEvent.objects.filter(action="device.remember", actor=member.user).exists()

    log_out(client)
    page = client.get("/accounts/login/").content.decode()
    assert member.name in page and member.id_number_masked in page
    assert 'name="id_number"' not in page and 'name="password"' in page

    wrong = client.post("/accounts/login/", {"remembered": "1", "password": "nope-nope-1"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    right = client.post("/accounts/login/", {"remembered": "1", "password": factories.PASSWORD})
    assert right.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.user.pk


def test_without_remember_me_the_ordinary_idle_period_applies_and_nothing_is_remembered(world):
    client = Client()
    response = log_in(client, world.member_a, remember=False)
    assert response.status_code == 302 and COOKIE not in response.cookies
    assert client.session.get_expiry_age() == settings.SESSION_IDLE_SECONDS
    assert not RememberedDevice.objects.exists()
    log_out(client)
    assert 'name="id_number"' in client.get("/accounts/login/").content.decode()


def test_a_device_unused_for_the_idle_period_is_forgotten(world):
    client = Client()
    log_in(client, world.member_a, remember=True)
    log_out(client)
    later = timezone.now() + timedelta(seconds=settings.MEMBER_REMEMBER_IDLE_SECONDS + 60)
    with time_machine.travel(later):
        page = client.get("/accounts/login/").content.decode()
        assert 'name="id_number"' in page
        forged = client.post(
            "/accounts/login/", {"remembered": "1", "password": factories.PASSWORD}
        )
        assert "_auth_user_id" not in client.session and forged.status_code == 200


def test_the_member_lists_and_removes_a_device_and_it_asks_for_everything_again(world):
    member = world.member_a
    client = Client()
    log_in(client, member, remember=True)
    page = client.get("/me/devices/").content.decode()
    assert "华为手机（浏览器）" in page and "本机" in page
    device = RememberedDevice.objects.get()

    other = Client()
    log_in(other, world.member_b, remember=True)
    foreign = RememberedDevice.objects.get(user=world.member_b.user)
    assert client.post("/me/devices/", {"device": foreign.pk}).status_code == 404
    assert client.post("/me/devices/", {"device": "x"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None

    response = client.post("/me/devices/", {"device": device.pk})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == ""
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert AuditEvent.objects.filter(action="device.revoke", actor=member.user).exists()
    log_out(client)
    client.cookies[COOKIE] = "anything"
    assert 'name="id_number"' in client.get("/accounts/login/").content.decode()


def test_removing_a_lost_phone_signs_it_out_there_at_once(world):
    member = world.member_a
    lost, at_home = Client(), Client()
    log_in(lost, member, remember=True)
    log_in(at_home, member, remember=False)
    assert lost.get("/me/").status_code == 200
    device = RememberedDevice.objects.get(user=member.user)
    assert device.session_key == lost.session.session_key

    # Another member's removal of their own phone leaves this one signed in.
    other = Client()
    log_in(other, world.member_b, remember=True)
    theirs = RememberedDevice.objects.get(user=world.member_b.user)
    assert other.post("/me/devices/", {"device": theirs.pk}).status_code == 302
    assert lost.get("/me/").status_code == 200

    assert at_home.post("/me/devices/", {"device": device.pk}).status_code == 302
    gone = lost.get("/me/")
    assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
    assert at_home.get("/me/").status_code == 200


def test_a_remembered_phone_signing_in_again_moves_its_session_along(world):
    member = world.member_a
    phone = Client()
    log_in(phone, member, remember=True)
    first = phone.session.session_key
    log_out(phone)
    phone.post("/accounts/login/", {"remembered": "1", "password": factories.PASSWORD})
    device = RememberedDevice.objects.get(user=member.user)
    assert device.session_key == phone.session.session_key != first

    at_home = Client()
    log_in(at_home, member, remember=False)
    at_home.post("/me/devices/", {"device": device.pk})
    assert phone.get("/me/").status_code == 302


def test_removing_this_phone_keeps_it_signed_in_as_an_ordinary_session(world):
    member = world.member_a
    phone = Client()
    log_in(phone, member, remember=True)
    device = RememberedDevice.objects.get(user=member.user)
    phone.post("/me/devices/", {"device": device.pk})
    assert phone.get("/me/").status_code == 200
    assert phone.session.get_expiry_age() == settings.SESSION_IDLE_SECONDS


def test_a_phone_that_changed_the_password_can_still_be_removed_from_elsewhere(world):
    member = world.member_a
    phone = Client()
    log_in(phone, member, remember=True)
    new = "Another-Horse-27"
    changed = phone.post(
        "/me/password/", {"current": factories.PASSWORD, "password": new, "password2": new}
    )
    assert changed.status_code == 302 and phone.get("/me/").status_code == 200
    device = RememberedDevice.objects.get(user=member.user)
    assert device.session_key == phone.session.session_key  # the key the change gave it

    at_home = Client()
    log_in(at_home, member, remember=False, password=new)
    at_home.post("/me/devices/", {"device": device.pk})
    assert phone.get("/me/").status_code == 302


def test_not_me_shows_the_full_form_and_forgets_the_cookie(world):
    client = Client()
    log_in(client, world.member_a, remember=True)
    log_out(client)
    response = client.get("/accounts/login/?forget=1")
    assert 'name="id_number"' in response.content.decode()
    assert response.cookies[COOKIE].value == ""


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_devices_page_is_for_members_only(world, who):
    client = Client()
    if who == "staff":
        factories.login_staff(client, world.staff_a)
    response = client.get("/me/devices/")
    assert response.status_code in (302, 403)
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")


def test_logout_asks_first_and_then_signs_out(world):
    client = Client()
    log_in(client, world.member_a, remember=False)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and "确定要退出登录吗？" in page.content.decode()
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/logout/").url == "/accounts/login/"


def test_a_member_changes_the_password_with_the_current_one(world):
    member = world.member_a
    client = Client()
    log_in(client, member, remember=False)
    new = "Another-Horse-27"
    wrong = client.post("/me/password/", {"current": "not-it-1", "password": new, "password2": new})
    assert wrong.status_code == 400 and "当前密码不正确。" in wrong.content.decode()
    mismatch = client.post(
        "/me/password/",
        {"current": factories.PASSWORD, "password": new, "password2": new + "x"},
    )
    assert mismatch.status_code == 400 and "两次输入的新密码不一致。" in mismatch.content.decode()
    weak = client.post(
        "/me/password/", {"current": factories.PASSWORD, "password": "1", "password2": "1"}
    )
    assert weak.status_code == 400
    member.user.refresh_from_db()
    assert member.user.check_password(factories.PASSWORD)

    done = client.post(
        "/me/password/", {"current": factories.PASSWORD, "password": new, "password2": new}
    )
    assert done.status_code == 302
    assert "_auth_user_id" in client.session  # still signed in here
    member.user.refresh_from_db()
    assert member.user.check_password(new)
    assert AuditEvent.objects.filter(action="password.change", actor=member.user).exists()
