"""Login throttles against password spraying: per address (IPv6 per /64) across accounts and
per account across addresses; successes never count; the county lifts a throttle."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from members.models import AuditEvent
from sanyuan.models import LoginThrottle
from tests import factories

pytestmark = pytest.mark.django_db

THROTTLED = "登录尝试过于频繁，请10分钟后再试"


def staff_login(api, username, password="wrong-password-1", ip="10.9.9.9"):
    return api.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def member_login(api, name, id_number, password="wrong-password-1", ip="10.9.9.9"):
    return api.post(
        "/api/auth/login/",
        {"name": name, "id_number": id_number, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_spraying_many_accounts_from_one_address_is_throttled_after_30_failures(api, world):
    statuses = []
    for number in range(120):
        if number % 2:
            response = staff_login(api, f"sprayed_{number}")
        else:
            id_number = factories.valid_id_number(seq=number)
            response = member_login(api, "张三", id_number)
        statuses.append(response.status_code)
    assert statuses[:30] == [400] * 30
    assert statuses[30:] == [429] * 90
    assert response.json()["detail"] == THROTTLED
    # Even the right password is refused from that address now, before it is checked ...
    assert staff_login(api, "staff_a", password=factories.PASSWORD).status_code == 429
    # ... and another address is not affected.
    assert (
        staff_login(api, "staff_a", password=factories.PASSWORD, ip="10.8.8.8").status_code == 200
    )


def test_ipv6_addresses_count_per_64_network(api, world):
    for number in range(30):
        assert (
            staff_login(api, f"v6_{number}", ip=f"2001:db8:1:2::{number + 1:x}").status_code == 400
        )
    # Another address of the same /64: throttled.
    blocked = staff_login(api, "staff_a", password=factories.PASSWORD, ip="2001:db8:1:2:ffff::9")
    assert blocked.status_code == 429
    # The neighbouring /64: not.
    other = staff_login(api, "staff_a", password=factories.PASSWORD, ip="2001:db8:1:3::1")
    assert other.status_code == 200


def test_one_account_is_throttled_after_10_failures_across_addresses(api, world):
    member = world.member_a
    statuses = [
        member_login(api, member.name, member.id_number, ip=f"10.3.{n}.1").status_code
        for n in range(12)
    ]
    assert statuses == [400] * 10 + [429] * 2
    right = member_login(api, member.name, member.id_number, factories.PASSWORD, ip="10.4.4.4")
    assert right.status_code == 429
    assert right.json()["detail"] == THROTTLED
    # Other accounts log in as usual.
    other = world.member_b
    assert member_login(api, other.name, other.id_number, factories.PASSWORD).status_code == 200


def test_200_successful_logins_from_one_address_all_succeed(api, world):
    member = world.member_a
    statuses = {
        member_login(api, member.name, member.id_number, factories.PASSWORD).status_code
        for _ in range(200)
    }
    assert statuses == {200}
    assert not LoginThrottle.objects.exists()


@override_settings(LOGIN_THROTTLE_ADDRESS_FAILURES=3, LOGIN_THROTTLE_WINDOW_SECONDS=300)
def test_the_limits_and_window_come_from_settings(api, world):
    statuses = [staff_login(api, f"someone_{n}").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert (
        statuses and staff_login(api, "x_y").json()["detail"] == "登录尝试过于频繁，请5分钟后再试"
    )


def test_the_web_login_form_is_throttled_too(world):
    client = Client()
    for number in range(30):
        client.post(
            reverse("members:login"),
            {"as": "staff", "username": f"web_{number}", "password": "wrong-password-1"},
            REMOTE_ADDR="10.7.7.7",
        )
    response = client.post(
        reverse("members:login"),
        {"as": "staff", "username": "staff_a", "password": factories.PASSWORD},
        REMOTE_ADDR="10.7.7.7",
    )
    assert response.status_code == 429
    assert THROTTLED in response.content.decode()


def test_county_staff_see_and_lift_a_throttle_in_the_admin_audited(api, world):
    for number in range(30):
        staff_login(api, f"spray_{number}")
    assert staff_login(api, "staff_a", password=factories.PASSWORD).status_code == 429
    throttle = LoginThrottle.objects.get(kind="address", key="10.9.9.9/32")
    county = factories.login_staff(Client(), world.county_staff)
    changelist = reverse("admin:sanyuan_loginthrottle_changelist")
    page = county.get(changelist)
    assert page.status_code == 200
    assert "10.9.9.9/32" in page.content.decode()
    response = county.post(
        changelist, {"action": "lift", "_selected_action": [throttle.pk]}, follow=True
    )
    assert "已解除 1 项登录限制" in response.content.decode()
    event = AuditEvent.objects.get(action="login_throttle.lift")
    assert event.actor == world.county_staff
    assert event.detail["label"] == "10.9.9.9/32"
    assert staff_login(api, "staff_a", password=factories.PASSWORD).status_code == 200


def test_committee_staff_neither_see_nor_lift_throttles(api, world):
    for number in range(30):
        staff_login(api, f"spray_{number}")
    throttle = LoginThrottle.objects.get(kind="address", key="10.9.9.9/32")
    committee = factories.login_staff(Client(), world.staff_a)
    changelist = reverse("admin:sanyuan_loginthrottle_changelist")
    assert committee.get(changelist).status_code == 403
    committee.post(changelist, {"action": "lift", "_selected_action": [throttle.pk]})
    throttle.refresh_from_db()
    assert throttle.failures == 30
    assert not AuditEvent.objects.filter(action="login_throttle.lift").exists()


def test_a_throttled_attempt_is_audited_with_its_reason(api, world):
    for number in range(30):
        staff_login(api, f"spray_{number}")
    staff_login(api, "staff_a")
    event = AuditEvent.objects.filter(action="login.failure").latest("pk")
    assert event.detail["reason"] == "throttled"
