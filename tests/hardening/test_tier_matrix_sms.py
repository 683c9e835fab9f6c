"""Tier matrix rows of the SMS reach (issue 18): the staff notice page, the staff action that
sets and clears a member's SMS opt-out, and the gateways' callbacks (anonymous with a valid
token or signature only; every principal without one is refused and nothing changes)."""

import json

import pytest
from django.test import Client

from members.models import Member, Notice
from members.services.notices import Audience, notice_publish
from tests.hardening.test_tier_matrix_routes import _page_client, _user
from tests.tiers import ANON, COMMITTEE, COUNTY, GROUP, HOST, MEMBER, NOBODY

pytestmark = pytest.mark.django_db

TOKEN = "matrix-callback-token"
PAGE_PRINCIPALS = [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON, NOBODY]


@pytest.fixture
def sms_world(scoped_world):
    w = scoped_world
    for side, label in ((w.a, "甲方活动通知"), (w.b, "乙方活动通知")):
        side.broadcast = notice_publish(
            audience=Audience.subtree(side.branch), kind=Notice.Kind.ACTIVITY, title=label
        )
    return w


# (tier, status of /staff/notices/, sees side a's notice, sees side b's notice)
NOTICE_PAGE = [
    (COUNTY, 200, True, True),
    (COMMITTEE, 200, True, False),
    (GROUP, 200, True, False),
    (HOST, 200, False, False),  # host staff manage no home organisation's notices
    (MEMBER, 403, False, False),
    (ANON, 302, False, False),  # to the login page
    (NOBODY, 403, False, False),
]


@pytest.mark.parametrize(("tier", "status", "sees_a", "sees_b"), NOTICE_PAGE)
def test_the_staff_notice_page_as_every_principal(sms_world, tier, status, sees_a, sees_b):
    response = _page_client(_user(sms_world, tier)).get("/staff/notices/")
    assert response.status_code == status
    text = response.content.decode()
    assert ("甲方活动通知" in text) is sees_a
    assert ("乙方活动通知" in text) is sees_b


# (tier, status of the POST, whether side a's / side b's archive changes)
OPT_OUT_ACTION = [
    (COUNTY, 302, True, True),
    (COMMITTEE, 302, True, False),
    (GROUP, 302, True, False),
    (HOST, 302, False, False),  # reads the hosted member, never keeps the archive
    (MEMBER, 403, False, False),
    (ANON, 302, False, False),
    (NOBODY, 403, False, False),
]


@pytest.mark.parametrize(("tier", "status", "changes_a", "changes_b"), OPT_OUT_ACTION)
def test_setting_the_sms_opt_out_as_every_principal(sms_world, tier, status, changes_a, changes_b):
    w = sms_world
    client = _page_client(_user(w, tier))
    data = {"action": "sms_opt_out", "value": "1"}
    response = client.post(f"/staff/members/{w.member_a.pk}/", data)
    assert response.status_code == status
    client.post(f"/staff/members/{w.member_b.pk}/", data)
    assert Member.objects.get(pk=w.member_a.pk).sms_opt_out is changes_a
    assert Member.objects.get(pk=w.member_b.pk).sms_opt_out is changes_b


def test_committee_staff_get_404_for_the_opt_out_of_another_committees_member(sms_world):
    w = sms_world
    client = _page_client(_user(w, COMMITTEE))
    response = client.post(
        f"/staff/members/{w.member_b.pk}/", {"action": "sms_opt_out", "value": "1"}
    )
    assert response.status_code == 404


CALLBACKS = [
    (
        "/api/sms/aliyun/replies/",
        lambda phone: json.dumps(
            [{"phone_number": phone, "content": "TD", "send_time": "2026-07-01 10:00:00"}]
        ),
    ),
    (
        "/api/sms/tencent/replies/",
        lambda phone: json.dumps({"mobile": phone, "text": "TD", "time": 1751335200}),
    ),
]


@pytest.mark.parametrize("tier", PAGE_PRINCIPALS)
@pytest.mark.parametrize(("url", "body"), CALLBACKS)
def test_callbacks_without_the_token_are_refused_for_every_principal(
    sms_world, settings, tier, url, body
):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    w = sms_world
    client = _page_client(_user(w, tier))
    payload = body(w.member_a.phone)
    for query in ("", "?token=wrong"):
        response = client.post(url + query, payload, content_type="application/json")
        assert response.status_code == 403
    response = client.post("/api/sms/aliyun/mns/", payload, content_type="text/plain;charset=utf-8")
    assert response.status_code == 403  # no MNS signature
    response = client.post("/api/sms/tencent/status/", "[]", content_type="application/json")
    assert response.status_code == 403
    assert not Member.objects.get(pk=w.member_a.pk).sms_opt_out


@pytest.mark.parametrize(("url", "body"), CALLBACKS)
def test_an_anonymous_callback_with_the_token_is_accepted(sms_world, settings, url, body):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    w = sms_world
    response = Client().post(
        f"{url}?token={TOKEN}", body(w.member_a.phone), content_type="application/json"
    )
    assert response.status_code == 200
    assert Member.objects.get(pk=w.member_a.pk).sms_opt_out


def test_no_token_configured_refuses_every_callback(sms_world, settings):
    settings.SMS_CALLBACK_TOKEN = ""
    url, body = CALLBACKS[0]
    response = Client().post(f"{url}?token=", body("13900000000"), content_type="application/json")
    assert response.status_code == 403
