"""Binding, unbinding and finding the member behind an openid."""

import pytest
from django.http import Http404

from members.models import AuditEvent
from sanyuan.errors import StateConflict
from wechat_accounts import services
from wechat_accounts.models import WechatBinding

pytestmark = pytest.mark.django_db
MP, MINI = "mp", "mini"


def bind(ww, member=None, app_kind=MP, app_id="wx-mp", openid="o-zhang", unionid=None):
    member = member or ww.member_a
    return services.binding_create(
        actor=member.user, app_kind=app_kind, app_id=app_id, openid=openid, unionid=unionid
    )


def test_a_member_binds_once_per_app_and_again_is_harmless(ww):
    first = bind(ww)
    assert bind(ww) == first  # the same openid again: nothing changes
    assert AuditEvent.objects.filter(action="wechat.bind").count() == 1
    with pytest.raises(StateConflict, match="已绑定过一个微信公众号"):
        bind(ww, openid="o-zhang-second-phone")
    # Another app is another binding.
    bind(ww, app_kind=MINI, app_id="wx-mini", openid="o-zhang-mini")
    assert WechatBinding.objects.filter(member=ww.member_a).count() == 2


def test_an_openid_bound_to_somebody_else_is_refused(ww):
    bind(ww)
    with pytest.raises(StateConflict, match="已绑定其他党员"):
        bind(ww, member=ww.member_b)
    assert not WechatBinding.objects.filter(member=ww.member_b).exists()


def test_staff_never_bind(ww):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.binding_create(
            actor=ww.staff_a, app_kind=MP, app_id="wx-mp", openid="o-staff", unionid=None
        )


def test_the_openid_of_the_app_finds_the_member(ww):
    bind(ww)
    found = services.member_for_identity(
        app_kind=MP, app_id="wx-mp", openid="o-zhang", unionid=None
    )
    assert found == ww.member_a
    assert WechatBinding.objects.get(openid="o-zhang").last_signed_in_at is not None
    assert (
        services.member_for_identity(app_kind=MP, app_id="wx-mp", openid="o-other", unionid=None)
        is None
    )
    # The same openid string in another app is another person.
    assert (
        services.member_for_identity(
            app_kind=MINI, app_id="wx-mini", openid="o-zhang", unionid=None
        )
        is None
    )


def test_another_app_signs_in_only_through_the_same_unionid(ww):
    bind(ww, app_kind=MINI, app_id="wx-mini", openid="o-mini", unionid="u-zhang")
    assert (
        services.member_for_identity(app_kind=MP, app_id="wx-mp", openid="o-mp", unionid=None)
        is None
    )
    assert (
        services.member_for_identity(
            app_kind=MP, app_id="wx-mp", openid="o-mp", unionid="u-somebody"
        )
        is None
    )
    found = services.member_for_identity(
        app_kind=MP, app_id="wx-mp", openid="o-mp", unionid="u-zhang"
    )
    assert found == ww.member_a
    made = WechatBinding.objects.get(app_id="wx-mp")
    assert (made.member, made.openid, made.unionid) == (ww.member_a, "o-mp", "u-zhang")
    event = AuditEvent.objects.filter(action="wechat.bind").latest("id")
    assert event.detail["through"] == "unionid"


def test_a_deactivated_account_does_not_sign_in(ww):
    bind(ww)
    ww.member_a.user.is_active = False
    ww.member_a.user.save(update_fields=["is_active"])
    assert (
        services.member_for_identity(app_kind=MP, app_id="wx-mp", openid="o-zhang", unionid=None)
        is None
    )


def test_unbinding_by_the_member_or_home_staff_is_audited(ww):
    binding = bind(ww)
    with pytest.raises(Http404):
        services.binding_remove(actor=ww.staff_b, binding=binding)
    with pytest.raises(Http404):
        services.binding_remove(actor=ww.host_staff, binding=binding)
    with pytest.raises(Http404):
        services.binding_remove(actor=ww.member_b.user, binding=binding)
    assert WechatBinding.objects.filter(pk=binding.pk).exists()
    services.binding_remove(actor=ww.staff_a, binding=binding)
    assert not WechatBinding.objects.filter(pk=binding.pk).exists()
    event = AuditEvent.objects.get(action="wechat.unbind")
    assert event.actor == ww.staff_a and event.detail["by"] == "工作人员"
    again = bind(ww, openid="o-zhang-new")
    services.binding_remove(actor=ww.member_a.user, binding=again)
    assert AuditEvent.objects.filter(action="wechat.unbind").latest("id").detail["by"] == "本人"


def test_binding_the_same_openid_again_stores_the_unionid_it_lacked(ww):
    first = bind(ww)
    assert first.unionid is None
    assert bind(ww, unionid="u-zhang") == first
    first.refresh_from_db()
    assert first.unionid == "u-zhang"
    bind(ww, unionid="u-other")  # never overwritten
    first.refresh_from_db()
    assert first.unionid == "u-zhang"
    assert AuditEvent.objects.filter(action="wechat.bind").count() == 1
