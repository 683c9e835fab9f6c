"""Staff remove a WeChat binding in the admin (a lost phone): home staff of the archive
(county, committee) through the action "解除所选的微信绑定" or the delete view, audited as
`wechat.unbind`; host-organisation staff get 403 and nothing changes."""

import pytest
from django.test import Client

from members.models import AuditEvent
from tests.factories import login_staff
from wechat_accounts.models import WechatBinding, WechatSubscription

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/wechat_accounts/wechatbinding/"


@pytest.fixture
def bindings(ww):
    """Side a's member (hosted by the host staff) and side b's member, each bound to the
    official account; side a's also to the mini-program, with a subscription."""
    a = WechatBinding.objects.create(
        member=ww.member_a, app_kind="mp", app_id="wx-mp", openid="o-mp-a"
    )
    a_mini = WechatBinding.objects.create(
        member=ww.member_a, app_kind="mini", app_id="wx-mini", openid="o-mini-a"
    )
    WechatSubscription.objects.create(binding=a_mini, template_id="TPL-1", remaining=2)
    b = WechatBinding.objects.create(
        member=ww.member_b, app_kind="mp", app_id="wx-mp", openid="o-mp-b"
    )
    return a, a_mini, b


def staff_client(user) -> Client:
    return login_staff(Client(), user)


def remove_selected(client, *rows):
    return client.post(
        CHANGELIST, {"action": "remove_selected", "_selected_action": [row.pk for row in rows]}
    )


def unbinds():
    return list(
        AuditEvent.objects.filter(action="wechat.unbind")
        .order_by("id")
        .values_list("actor_id", "target_id", "detail")
    )


@pytest.mark.parametrize("tier", ["county", "committee"])
def test_home_staff_remove_a_binding_through_the_changelist_action(ww, bindings, tier):
    a, a_mini, b = bindings
    staff = ww.county_staff if tier == "county" else ww.staff_a
    client = staff_client(staff)
    listed = client.get(CHANGELIST)
    assert listed.status_code == 200 and "解除所选的微信绑定" in listed.content.decode()
    response = remove_selected(client, a_mini)
    assert response.status_code == 302
    assert "已解除 1 个微信绑定" in client.get(response["Location"]).content.decode()
    assert set(WechatBinding.objects.all()) == {a, b}
    assert not WechatSubscription.objects.exists()  # its subscriptions go with it
    assert unbinds() == [(staff.pk, str(ww.member_a.pk), {"app": "小程序", "by": "工作人员"})]


def test_committee_staff_cannot_remove_a_binding_of_another_committee(ww, bindings):
    a, _, b = bindings
    client = staff_client(ww.staff_a)
    assert b.member.name not in client.get(CHANGELIST).content.decode()
    remove_selected(client, a, b)  # b is outside the scope: not even selectable
    assert list(WechatBinding.objects.filter(pk__in=[a.pk, b.pk])) == [b]
    assert [target for _, target, _ in unbinds()] == [str(ww.member_a.pk)]
    response = client.post(f"{CHANGELIST}{b.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302  # Django's "does not exist" redirect, nothing deleted
    assert WechatBinding.objects.filter(pk=b.pk).exists()
    assert len(unbinds()) == 1


@pytest.mark.parametrize("tier", ["county", "committee"])
def test_home_staff_remove_a_binding_through_the_delete_view(ww, bindings, tier):
    a, _, b = bindings
    staff = ww.county_staff if tier == "county" else ww.staff_a
    client = staff_client(staff)
    url = f"{CHANGELIST}{a.pk}/delete/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and str(a) in confirm.content.decode()
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not WechatBinding.objects.filter(pk=a.pk).exists()
    assert WechatBinding.objects.filter(pk=b.pk).exists()
    assert unbinds() == [(staff.pk, str(ww.member_a.pk), {"app": "公众号", "by": "工作人员"})]


def test_the_county_removes_side_bs_binding_too(ww, bindings):
    _, _, b = bindings
    client = staff_client(ww.county_staff)
    assert client.post(f"{CHANGELIST}{b.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not WechatBinding.objects.filter(pk=b.pk).exists()
    assert unbinds() == [
        (ww.county_staff.pk, str(ww.member_b.pk), {"app": "公众号", "by": "工作人员"})
    ]


def test_django_delete_selected_is_not_offered(ww, bindings):
    a, _, _ = bindings
    client = staff_client(ww.staff_a)
    assert "delete_selected" not in client.get(CHANGELIST).content.decode()
    response = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [a.pk]})
    assert WechatBinding.objects.filter(pk=a.pk).exists()
    assert response.status_code in (200, 302) and not unbinds()


def test_host_staff_get_403_and_nothing_changes(ww, bindings):
    a, a_mini, b = bindings  # host staff host side a's member, and still may not
    client = staff_client(ww.host_staff)
    assert client.get(CHANGELIST).status_code == 403
    assert remove_selected(client, a, a_mini, b).status_code == 403
    for row in (a, b):
        url = f"{CHANGELIST}{row.pk}/delete/"
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    assert client.get(f"{CHANGELIST}{a.pk}/change/").status_code == 403
    assert WechatBinding.objects.count() == 3 and WechatSubscription.objects.count() == 1
    assert not unbinds()
    assert "wechat_accounts" not in client.get("/admin/").content.decode()


def test_members_are_sent_to_the_staff_login(ww, bindings):
    a, _, _ = bindings
    client = Client()
    client.force_login(ww.member_a.user, backend="members.backends.MemberBackend")
    assert client.post(f"{CHANGELIST}{a.pk}/delete/", {"post": "yes"}).status_code == 302
    assert remove_selected(client, a).status_code == 302
    assert WechatBinding.objects.filter(pk=a.pk).exists() and not unbinds()
