"""Who sees and removes WeChat bindings: every principal."""

import pytest

from tests.tiers import ask, only, untested_functions
from wechat_accounts import permissions
from wechat_accounts.models import WechatBinding

pytestmark = pytest.mark.django_db


def bind(member, app_id="wx-mp", openid=None):
    return WechatBinding.objects.create(
        member=member, app_kind="mp", app_id=app_id, openid=openid or f"o-{member.pk}"
    )


def test_only_members_bind(ww):
    assert ask(ww, permissions.can_bind) == only("member")


def test_bindings_are_seen_by_their_member_and_the_home_staff_of_the_archive(ww):
    a, b = bind(ww.member_a), bind(ww.member_b)
    seen = ask(ww, lambda user: set(permissions.filter_bindings_visible_to(user)))
    assert seen == {
        "county": {a, b},
        "committee": {a},
        "committee_group": {a},
        "host": set(),  # host staff keep in touch, they do not manage sign-in
        "member": {a},
        "anonymous": set(),
        "none": set(),
        "nobody": set(),
    }


def test_removal_follows_the_same_lines(ww):
    a, b = bind(ww.member_a), bind(ww.member_b)
    assert ask(ww, lambda user: permissions.can_remove_binding(user, a)) == only(
        "county", "committee", "committee_group", "member"
    )
    assert ask(ww, lambda user: permissions.can_remove_binding(user, b)) == only("county")


def test_every_function_of_wechat_accounts_permissions_has_a_row_here():
    assert not untested_functions(permissions, __file__)
