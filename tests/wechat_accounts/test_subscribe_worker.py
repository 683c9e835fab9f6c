"""A subscribe message WeChat answers "busy" (-1) is retried by a real Celery worker (not the
inline runner of the other tests) and sent once, without a text message."""

import json
import time

import pytest

from members.models import Notice, NoticeDelivery
from members.services.notices import Audience, notice_publish
from tests import factories
from tests.conftest import WECHAT_MINI_APP
from wechat_accounts.models import WechatBinding, WechatSubscription

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SEND = "/cgi-bin/message/subscribe/send"
TEMPLATES = {"review_outcome": {"template_id": "TPL-REVIEW", "fields": {"thing1": "title"}}}


def wait_for(condition, timeout=40, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def test_wechat_busy_is_retried_by_the_worker_then_sent_once(
    start_worker, wechat_fake, sms_outbox, settings
):
    world = factories.build_world()
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    wechat_fake.add_template("TPL-REVIEW", ["thing1"])
    binding = WechatBinding.objects.create(
        member=world.member_a, app_kind="mini", app_id=WECHAT_MINI_APP[0], openid="o-member-a"
    )
    WechatSubscription.objects.create(binding=binding, template_id="TPL-REVIEW", remaining=1)
    wechat_fake.subscribe(WECHAT_MINI_APP[0], "o-member-a", "TPL-REVIEW")
    wechat_fake.fail_next(SEND, -1, times=2)
    start_worker(
        WECHAT_API_BASE_URL=wechat_fake.url,
        WECHAT_MINI_APP_ID=WECHAT_MINI_APP[0],
        WECHAT_MINI_APP_SECRET=WECHAT_MINI_APP[1],
        WECHAT_SUBSCRIBE_TEMPLATES=json.dumps(TEMPLATES),
        NOTICE_RETRY_BACKOFF_BASE="0",
    )
    notice = notice_publish(
        audience=Audience.user(world.member_a.user),
        kind=Notice.Kind.REVIEW_OUTCOME,
        title="您的档案修改申请已通过",
    )

    def push():
        return (
            NoticeDelivery.objects.filter(notice=notice, channel="wechat")
            .values_list("status", "attempts")
            .first()
        )

    assert wait_for(lambda: push() == ("sent", 3)), push()
    assert wechat_fake.calls[SEND] == 3 and len(wechat_fake.sent) == 1
    assert not NoticeDelivery.objects.filter(notice=notice, channel="sms").exists()
    assert sms_outbox.messages() == []
