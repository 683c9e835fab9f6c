""" "One unionid, one member" holds under concurrency: two requests storing the same unionid on
two members' bindings at once store it on one only (the check and the write are serialised by
an advisory lock on the unionid; there is no unique column behind the rule)."""

import contextlib
import threading
import time

import pytest
from django.db import connection

from tests import factories
from wechat_accounts import services
from wechat_accounts.models import WechatBinding

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_two_members_learning_the_same_unionid_at_once_store_it_once(monkeypatch):
    world = factories.build_world()
    bindings = [
        WechatBinding.objects.create(
            member=member, app_kind="mini", app_id="wx-mini", openid=f"o-{member.pk}"
        )
        for member in (world.member_a, world.member_b)
    ]
    checked = threading.Barrier(2, timeout=5)
    real_check = services._unionid_of_another_member

    def slow_check(unionid, member_id):
        # Both requests reach the check; without the lock both would answer "nobody else".
        found = real_check(unionid, member_id)
        # With the lock the other request waits on it and checks after this one commits.
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait()
        time.sleep(0.2)
        return found

    monkeypatch.setattr(services, "_unionid_of_another_member", slow_check)
    stored = {}

    def learn(binding):
        try:
            stored[binding.pk] = services.binding_learn_unionid(binding=binding, unionid="u-same")
        finally:
            connection.close()

    threads = [threading.Thread(target=learn, args=(b,)) for b in bindings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(stored.values()) == [False, True]
    assert WechatBinding.objects.filter(unionid="u-same").count() == 1
