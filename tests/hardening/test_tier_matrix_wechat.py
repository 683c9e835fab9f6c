"""Tier matrix rows of WeChat (issue 19, app `wechat_accounts`): the mini-program login, the
member's bindings and subscriptions through the API, the official account's web sign-in and
callback, and the member's binding pages, as county, committee, committee through a group
grant, host staff (hosting side a's member), member (side a), anonymous and an account
without a tier. Both sides' members are bound to both apps, so that reaching side b's
binding, or side a's as staff, is a real attempt: bindings are the member's own (staff
remove one in the admin, tests/wechat_accounts/test_admin.py) and nothing changes for
anybody else."""

import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from members.models import AuditEvent
from tests.conftest import WECHAT_MINI_APP, WECHAT_MP_APP
from tests.hardening.test_tier_matrix_routes import _api_client, _page_client, _user
from tests.tiers import ANON, COMMITTEE, COUNTY, GROUP, HOST, MEMBER, NOBODY, extend_world
from wechat_accounts.models import WechatBinding, WechatSubscription

pytestmark = pytest.mark.django_db

PRINCIPALS = [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON, NOBODY]
STAFF = (COUNTY, COMMITTEE, GROUP, HOST)
MP_ID, MINI_ID = WECHAT_MP_APP[0], WECHAT_MINI_APP[0]
LOGIN = "/api/auth/wechat/mini-program/"
BINDINGS = "/api/me/wechat/bindings/"
SUBSCRIPTIONS = "/api/me/wechat/subscriptions/"
PENDING = "wechat_pending_identity"
TEMPLATES = {"notice": {"template_id": "TPL-NOTICE", "fields": {"thing1": "title"}}}
# The API's answer to a principal that is not the member: 401 anonymous, 403 otherwise.
NOT_MEMBER_API = {**dict.fromkeys((*STAFF, NOBODY), 403), ANON: 401}
# A member page: staff and accounts without a tier get 403, anonymous goes to the login page.
NOT_MEMBER_PAGE = {**dict.fromkeys((*STAFF, NOBODY), 403), ANON: 302}


@pytest.fixture
def ww(world, wechat_fake, settings):
    """The tier world; each side's member bound to the official account and the
    mini-program, with one subscribe message allowed."""
    w = extend_world(world)
    settings.WECHAT_OPEN_BASE_URL = wechat_fake.url
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    wechat_fake.oauth_domains = frozenset({"testserver"})
    w.wx = wechat_fake
    w.sides = {}
    for side, member in (("a", w.member_a), ("b", w.member_b)):
        mp = WechatBinding.objects.create(
            member=member, app_kind="mp", app_id=MP_ID, openid=f"o-mp-{side}"
        )
        mini = WechatBinding.objects.create(
            member=member, app_kind="mini", app_id=MINI_ID, openid=f"o-mini-{side}"
        )
        WechatSubscription.objects.create(binding=mini, template_id="TPL-NOTICE", remaining=1)
        w.sides[side] = SimpleNamespace(member=member, mp=mp, mini=mini)
    return w


def bindings_left() -> set[str]:
    return set(WechatBinding.objects.values_list("openid", flat=True))


ALL_BINDINGS = {"o-mp-a", "o-mini-a", "o-mp-b", "o-mini-b"}


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# The mini-program login ---------------------------------------------------------------------


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_the_mini_program_login_answers_for_the_code_never_for_the_caller(ww, tier):
    client = _api_client(_user(ww, tier))  # a token sent along is not read here
    for side in ww.sides.values():
        answer = client.post(
            LOGIN, {"code": ww.wx.issue_js_code(MINI_ID, side.mini.openid)}, format="json"
        )
        assert answer.status_code == 200
        me = APIClient()
        me.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
        assert me.get("/api/me/").json()["name"] == side.member.name
    unbound = client.post(LOGIN, {"code": ww.wx.issue_js_code(MINI_ID, "o-new")}, format="json")
    assert unbound.status_code == 404 and unbound.json()["code"] == "not_bound"
    assert bindings_left() == ALL_BINDINGS


# The member's bindings through the API ----------------------------------------------------


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_listing_bindings_is_for_the_member_and_shows_only_their_own(ww, tier):
    answer = _api_client(_user(ww, tier)).get(BINDINGS)
    if tier == MEMBER:
        assert answer.status_code == 200
        a = ww.sides["a"]
        assert {row["id"] for row in answer.json()} == {a.mp.pk, a.mini.pk}
    else:
        assert answer.status_code == NOT_MEMBER_API[tier]


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_binding_the_mini_program_is_for_the_member_and_never_takes_side_bs_wechat(ww, tier):
    ww.sides["a"].mini.delete()
    client = _api_client(_user(ww, tier))
    taken = ww.wx.issue_js_code(MINI_ID, "o-mini-b")
    answer = client.post(BINDINGS, {"code": taken}, format="json")
    assert answer.status_code == (409 if tier == MEMBER else NOT_MEMBER_API[tier])
    answer = client.post(BINDINGS, {"code": ww.wx.issue_js_code(MINI_ID, "o-new")}, format="json")
    assert answer.status_code == (201 if tier == MEMBER else NOT_MEMBER_API[tier])
    mine = WechatBinding.objects.filter(member=ww.member_a, app_id=MINI_ID)
    assert list(mine.values_list("openid", flat=True)) == (["o-new"] if tier == MEMBER else [])
    assert WechatBinding.objects.get(openid="o-mini-b").member == ww.member_b


# (tier, DELETE of side a's binding, of side b's, GET on the same path)
UNBIND_API = [
    (COUNTY, 403, 403, 403),
    (COMMITTEE, 403, 403, 403),
    (GROUP, 403, 403, 403),
    (HOST, 403, 403, 403),
    (MEMBER, 204, 404, 405),
    (ANON, 401, 401, 401),
    (NOBODY, 403, 403, 403),
]


@pytest.mark.parametrize(("tier", "side_a", "side_b", "get"), UNBIND_API)
def test_unbinding_through_the_api_is_the_members_own_and_nobody_elses(
    ww, tier, side_a, side_b, get
):
    a, b = ww.sides["a"], ww.sides["b"]
    client = _api_client(_user(ww, tier))
    assert client.get(f"{BINDINGS}{a.mp.pk}/").status_code == get
    assert client.delete(f"{BINDINGS}{b.mp.pk}/").status_code == side_b
    assert client.delete(f"{BINDINGS}{a.mp.pk}/").status_code == side_a
    expected = ALL_BINDINGS - ({"o-mp-a"} if tier == MEMBER else set())
    assert bindings_left() == expected
    unbinds = AuditEvent.objects.filter(action="wechat.unbind")
    assert list(unbinds.values_list("actor_id", flat=True)) == (
        [ww.member_a.user.pk] if tier == MEMBER else []
    )


# Subscriptions ---------------------------------------------------------------------------


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_subscriptions_are_the_members_own(ww, tier):
    client = _api_client(_user(ww, tier))
    listed = client.get(SUBSCRIPTIONS)
    answered = client.post(SUBSCRIPTIONS, {"accepted": {"TPL-NOTICE": "accept"}}, format="json")
    remaining = dict(
        WechatSubscription.objects.values_list("binding__openid", "remaining").order_by()
    )
    if tier == MEMBER:
        assert listed.status_code == answered.status_code == 200
        assert [row["remaining"] for row in answered.json()] == [2]
        assert remaining == {"o-mini-a": 2, "o-mini-b": 1}
    else:
        assert listed.status_code == answered.status_code == NOT_MEMBER_API[tier]
        assert remaining == {"o-mini-a": 1, "o-mini-b": 1}


# The official account's web sign-in --------------------------------------------------------


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_the_menu_link_sends_only_the_signed_out_through_wechat(ww, tier):
    client = _page_client(_user(ww, tier))
    response = client.get("/wechat/sign-in/?next=/me/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    if tier == ANON:
        assert target.path == "/connect/oauth2/authorize"
        assert parse_qs(target.query)["appid"] == [MP_ID]
    else:  # already signed in: straight on, no WeChat round trip
        assert response["Location"] == "/me/"
        assert "wechat_oauth_state" not in client.session


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_a_callback_without_this_browsers_state_signs_nobody_in(ww, tier):
    user = _user(ww, tier)
    client = _page_client(user)
    before = signed_in_as(client)
    code = ww.wx.issue_oauth_code(MP_ID, "o-mp-b")
    response = client.get(f"/wechat/callback/?code={code}&state=forged")
    assert response.status_code == 400 and "登录链接已失效" in response.content.decode()
    assert signed_in_as(client) == before
    assert PENDING not in client.session


@pytest.mark.parametrize("side", ["a", "b"])
def test_a_signed_out_browser_is_signed_in_as_the_member_wechat_vouches_for(ww, side):
    member = ww.sides[side].member
    ww.wx.browser_user = (f"o-mp-{side}", None)
    client = _page_client(None)
    started = urlsplit(client.get("/wechat/sign-in/?next=/me/")["Location"])
    query = {key: values[-1] for key, values in parse_qs(started.query).items()}
    status, location, _ = ww.wx.authorize(query)
    assert status == 302
    back = urlsplit(location)
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert signed_in_as(client) == str(member.user.pk)


# The member's binding pages --------------------------------------------------------------


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_my_bindings_page_lists_only_the_members_own(ww, tier):
    response = _page_client(_user(ww, tier)).get("/me/wechat/")
    if tier != MEMBER:
        assert response.status_code == NOT_MEMBER_PAGE[tier]
        return
    page = response.content.decode()
    a, b = ww.sides["a"], ww.sides["b"]
    assert all(f"/me/wechat/{row.pk}/unbind/" in page for row in (a.mp, a.mini))
    assert all(f"/me/wechat/{row.pk}/unbind/" not in page for row in (b.mp, b.mini))


def pending(client, openid):
    """An openid WeChat vouched for in this browser, waiting to be bound (as the callback
    leaves it for an unbound one)."""
    session = client.session
    identity = {"app_kind": "mp", "app_id": MP_ID, "openid": openid, "unionid": None}
    session[PENDING] = {**identity, "at": int(time.time())}
    session.save()


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_the_bind_page_binds_only_the_signed_in_member_and_never_side_bs_wechat(ww, tier):
    ww.sides["a"].mp.delete()
    client = _page_client(_user(ww, tier))
    pending(client, "o-mp-b")  # WeChat's user behind it is side b's member
    response = client.post("/me/wechat/bind/")
    assert response.status_code == (302 if tier == MEMBER else NOT_MEMBER_PAGE[tier])
    pending(client, "o-mp-new")
    response = client.post("/me/wechat/bind/")
    assert response.status_code == (302 if tier == MEMBER else NOT_MEMBER_PAGE[tier])
    mine = WechatBinding.objects.filter(member=ww.member_a, app_id=MP_ID)
    assert list(mine.values_list("openid", flat=True)) == (["o-mp-new"] if tier == MEMBER else [])
    assert WechatBinding.objects.get(openid="o-mp-b").member == ww.member_b


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_the_dismiss_page_is_the_members(ww, tier):
    client = _page_client(_user(ww, tier))
    pending(client, "o-mp-new")
    response = client.post("/me/wechat/dismiss/")
    assert response.status_code == (302 if tier == MEMBER else NOT_MEMBER_PAGE[tier])
    assert (PENDING in client.session) is (tier != MEMBER)
    assert bindings_left() == ALL_BINDINGS


# (tier, POST unbind of side a's binding, of side b's)
UNBIND_PAGE = [
    (COUNTY, 403, 403),
    (COMMITTEE, 403, 403),
    (GROUP, 403, 403),
    (HOST, 403, 403),
    (MEMBER, 302, 404),
    (ANON, 302, 302),  # to the login page
    (NOBODY, 403, 403),
]


@pytest.mark.parametrize(("tier", "side_a", "side_b"), UNBIND_PAGE)
def test_the_unbind_page_removes_only_the_members_own(ww, tier, side_a, side_b):
    a, b = ww.sides["a"], ww.sides["b"]
    client = _page_client(_user(ww, tier))
    assert client.post(f"/me/wechat/{b.mini.pk}/unbind/").status_code == side_b
    response = client.post(f"/me/wechat/{a.mini.pk}/unbind/")
    assert response.status_code == side_a
    if tier == ANON:
        assert response["Location"].startswith("/accounts/login/")
    expected = ALL_BINDINGS - ({"o-mini-a"} if tier == MEMBER else set())
    assert bindings_left() == expected
    assert AuditEvent.objects.filter(action="wechat.unbind").count() == (tier == MEMBER)
