"""Tier matrix rows of issue 20 round two, as every principal: the arrival card (item 9: the
member's fresh QR code and 报到码 secret, the host staff's 输入报到码 form) and the one-field
change request (item 7)."""

import pytest

from members.models import CheckinSecret, Hosting
from members.services import checkin
from tests.hardening.test_tier_matrix_routes import _page_client, _user
from tests.tiers import ANON, COMMITTEE, COUNTY, GROUP, HOST, MEMBER, NOBODY

pytestmark = pytest.mark.django_db

# (tier, status of GET /me/qr/card/, of POST /me/qr/secret/)
MEMBER_CARD = [
    (COUNTY, 403, 403),
    (COMMITTEE, 403, 403),
    (GROUP, 403, 403),
    (HOST, 403, 403),
    (MEMBER, 200, 201),
    (ANON, 302, 302),  # to the login page
    (NOBODY, 403, 403),
]


@pytest.mark.parametrize(("tier", "card", "secret"), MEMBER_CARD)
def test_the_member_card_endpoints_as_every_principal(scoped_world, tier, card, secret):
    client = _page_client(_user(scoped_world, tier))
    assert client.get("/me/qr/card/").status_code == card
    assert client.post("/me/qr/secret/").status_code == secret
    assert CheckinSecret.objects.count() == (1 if tier == MEMBER else 0)


# (tier, status of POST /staff/hosting/code/ with side b's right code, whether b arrives)
CODE_FORM = [
    (COUNTY, 302, False),  # no host grant: sent back with a message
    (COMMITTEE, 302, False),
    (GROUP, 302, False),
    (HOST, 302, True),
    (MEMBER, 403, False),
    (ANON, 302, False),
    (NOBODY, 403, False),
]


@pytest.mark.parametrize(("tier", "status", "arrives"), CODE_FORM)
def test_the_checkin_code_form_as_every_principal(scoped_world, tier, status, arrives):
    w = scoped_world
    secret = checkin.checkin_secret_issue(member=w.member_b)
    response = _page_client(_user(w, tier)).post(
        "/staff/hosting/code/",
        {
            "name": w.member_b.name,
            "id_number": w.member_b.id_number,
            "code": checkin.totp(secret, checkin.current_step()),
            "host": w.host.pk,
        },
    )
    assert response.status_code == status
    assert Hosting.objects.filter(member=w.member_b).exists() is arrives


# (tier, status of GET /me/archive/change/phone/, of the POST, of GET for a row no member
# may change)
ONE_FIELD_FORM = [
    (COUNTY, 403, 403, 404),
    (COMMITTEE, 403, 403, 404),
    (GROUP, 403, 403, 404),
    (HOST, 403, 403, 404),
    (MEMBER, 200, 302, 404),
    (ANON, 302, 302, 302),  # to the login page
    (NOBODY, 403, 403, 404),
]


@pytest.mark.parametrize(("tier", "get", "post", "foreign"), ONE_FIELD_FORM)
def test_the_one_field_change_form_as_every_principal(scoped_world, tier, get, post, foreign):
    from members.models import ChangeRequest

    w = scoped_world
    ChangeRequest.objects.filter(member=w.member_a).delete()  # the world's pending one
    client = _page_client(_user(w, tier))
    assert client.get("/me/archive/change/phone/").status_code == get
    response = client.post(
        "/me/archive/change/phone/", {"phone": "13912345678", "reason": "换了新手机号"}
    )
    assert response.status_code == post
    assert client.get("/me/archive/change/mindset_note/").status_code == foreign
    assert ChangeRequest.objects.filter(member=w.member_a).exists() is (tier == MEMBER)
