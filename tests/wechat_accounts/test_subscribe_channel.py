"""Notices as mini-program subscribe messages before the text message (issue 19 item 4),
against the WeChat fake (tests/fakes/wechat.py: it checks the access_token, that the template
is one the mini-program added, that touser is a user of the mini-program, the data's keywords
and limits, and answers 43101 to a user without an accepted subscription left) and the file
SMS backend. Celery runs inline here, so a retry is the sweeper's (backoff base 0: due at
once); test_subscribe_worker.py retries through a real worker."""

import pytest

from members.models import Member, Notice, NoticeDelivery
from members.services.notices import (
    Audience,
    notice_delivery_send,
    notice_preference_set,
    notice_publish,
    notice_sweep,
)
from sanyuan import wechat
from tests import factories
from tests.conftest import WECHAT_MINI_APP
from wechat_accounts.models import WechatBinding, WechatSubscription
from wechat_accounts.services.subscriptions import subscription_record

pytestmark = pytest.mark.django_db
K = Notice.Kind
S = NoticeDelivery.Status
MINI = WECHAT_MINI_APP[0]
SEND = "/cgi-bin/message/subscribe/send"
TEMPLATES = {
    "notice": {"template_id": "TPL-NOTICE", "fields": {"thing1": "title", "time2": "sent_at"}},
    "review_outcome": {
        "template_id": "TPL-REVIEW",
        "fields": {"thing1": "title", "thing2": "kind", "time3": "sent_at"},
    },
}


@pytest.fixture
def wx(wechat_fake, settings, world, sms_outbox):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    settings.WECHAT_SUBSCRIBE_PAGE = "pages/notices/detail?id={notice_id}"
    wechat_fake.add_template("TPL-NOTICE", ["thing1", "time2"])
    wechat_fake.add_template("TPL-REVIEW", ["thing1", "thing2", "time3"])
    WechatBinding.objects.create(
        member=world.member_a, app_kind="mini", app_id=MINI, openid="o-member-a"
    )
    wechat_fake.users.add((MINI, "o-member-a"))
    wechat_fake.outbox = sms_outbox
    return wechat_fake


def accept(fake, member, template_id, *, times=1, at_wechat=True):
    """The member pressed 允许 in wx.requestSubscribeMessage `times` times: WeChat records
    it, and the mini-program posts the answer to the site."""
    openid = WechatBinding.objects.get(member=member, app_id=MINI).openid
    for _ in range(times):
        if at_wechat:
            fake.subscribe(MINI, openid, template_id)
        subscription_record(actor=member.user, answers={template_id: "accept"})


def remaining(member, template_id) -> int:
    row = WechatSubscription.objects.filter(binding__member=member, template_id=template_id).first()
    return row.remaining if row else 0


def review_outcome(member, capture, title="您的档案修改申请已通过"):
    with capture(execute=True):
        return notice_publish(
            audience=Audience.user(member.user), kind=K.REVIEW_OUTCOME, title=title
        )


def deliveries(notice):
    return {
        (row.channel, row.status): row
        for row in NoticeDelivery.objects.filter(notice=notice).order_by("pk")
    }


def texts_to(outbox, member) -> int:
    return sum(1 for message in outbox.messages() if message["phone"] == member.phone)


def test_a_member_who_accepted_gets_the_subscribe_message_instead_of_the_text(
    wx, world, django_capture_on_commit_callbacks
):
    accept(wx, world.member_a, "TPL-REVIEW")
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)

    [sent] = wx.sent
    assert sent == {
        "touser": "o-member-a",
        "template_id": "TPL-REVIEW",
        "data": {
            "thing1": {"value": "您的档案修改申请已通过"},
            "thing2": {"value": "审核结果"},
            "time3": {"value": sent["data"]["time3"]["value"]},
        },
        "miniprogram_state": "formal",
        "lang": "zh_CN",
        "page": f"pages/notices/detail?id={notice.pk}",
    }
    push = deliveries(notice)[("wechat", S.SENT)]
    assert push.member_id == world.member_a.pk and push.vendor_id.isdigit()
    assert push.sms_fallback  # a review outcome always goes out: the text was due
    assert set(deliveries(notice)) == {("wechat", S.SENT)}
    assert texts_to(wx.outbox, world.member_a) == 0
    assert remaining(world.member_a, "TPL-REVIEW") == 0
    assert wx.remaining(MINI, "o-member-a", "TPL-REVIEW") == 0
    # The inbox is untouched: the member still reads it there.
    notice.refresh_from_db()
    assert notice.inbox_count == 1


def test_a_member_without_an_acceptance_gets_the_text_straight_away(
    wx, world, django_capture_on_commit_callbacks
):
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)
    assert wx.calls[SEND] == 0
    assert set(deliveries(notice)) == {("sms", S.SENT)}
    assert texts_to(wx.outbox, world.member_a) == 1


def test_a_refusal_by_wechat_falls_back_to_one_text(wx, world, django_capture_on_commit_callbacks):
    # The site was told "accept", but the member switched the messages off in WeChat since.
    accept(wx, world.member_a, "TPL-REVIEW", at_wechat=False)
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)

    rows = deliveries(notice)
    assert set(rows) == {("wechat", S.FELL_BACK), ("sms", S.SENT)}
    assert rows[("wechat", S.FELL_BACK)].last_error.startswith("wechat 43101")
    assert wx.sent == [] and wx.calls[SEND] == 1
    assert texts_to(wx.outbox, world.member_a) == 1
    assert remaining(world.member_a, "TPL-REVIEW") == 0  # WeChat said none is left
    # Sweeps and a redelivered task change nothing: one text, ever.
    notice_sweep()
    notice_sweep()
    assert notice_delivery_send(delivery_id=rows[("wechat", S.FELL_BACK)].pk) == S.FELL_BACK
    assert texts_to(wx.outbox, world.member_a) == 1
    assert NoticeDelivery.objects.filter(notice=notice).count() == 2


def test_wechat_busy_is_retried_then_sent(wx, world, django_capture_on_commit_callbacks):
    accept(wx, world.member_a, "TPL-REVIEW")
    wx.fail_next(SEND, -1)
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)
    waiting = deliveries(notice)[("wechat", S.FAILED)]
    assert waiting.last_error.startswith("wechat -1") and waiting.next_attempt_at
    assert remaining(world.member_a, "TPL-REVIEW") == 1  # given back: nothing went

    notice_sweep()
    notice_sweep()  # nothing due any more
    push = deliveries(notice)[("wechat", S.SENT)]
    assert push.attempts == 2
    assert wx.calls[SEND] == 2 and len(wx.sent) == 1
    assert texts_to(wx.outbox, world.member_a) == 0
    assert remaining(world.member_a, "TPL-REVIEW") == 0  # spent once, not twice


def test_a_push_that_keeps_failing_falls_back_to_the_text_after_the_last_attempt(
    wx, world, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_PUSH_MAX_ATTEMPTS = 3
    accept(wx, world.member_a, "TPL-REVIEW")
    wx.fail_next(SEND, 45009, times=3)  # the daily quota of subscribe messages is used up
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)
    for _ in range(3):
        notice_sweep()

    rows = deliveries(notice)
    assert set(rows) == {("wechat", S.FELL_BACK), ("sms", S.SENT)}
    assert rows[("wechat", S.FELL_BACK)].attempts == 3
    assert wx.calls[SEND] == 3 and wx.sent == []
    assert texts_to(wx.outbox, world.member_a) == 1
    # Nothing reached WeChat's user: the acceptance is still there for the next notice.
    assert remaining(world.member_a, "TPL-REVIEW") == 1


def test_a_refused_access_token_is_fetched_again_once(
    wx, world, django_capture_on_commit_callbacks
):
    accept(wx, world.member_a, "TPL-REVIEW")
    wechat.access_token(wechat.mini_app())  # cached by an earlier send
    wx.revoke_tokens()  # 40001 from now on, while normal mode still hands it out
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)

    assert set(deliveries(notice)) == {("wechat", S.SENT)}
    assert wx.calls[SEND] == 2  # refused once, then sent with the new token
    assert wx.force_refresh_calls == 1
    assert wx.stable_token_calls == 3  # the first, normal mode again, force_refresh
    assert texts_to(wx.outbox, world.member_a) == 0


def test_an_access_token_answered_40014_is_force_refreshed_once_and_the_notice_goes(
    wx, world, django_capture_on_commit_callbacks
):
    accept(wx, world.member_a, "TPL-REVIEW")
    wechat.access_token(wechat.mini_app())
    wx.fail_next(SEND, 40014)  # invalid access_token: the same decision as 40001
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)

    assert set(deliveries(notice)) == {("wechat", S.SENT)}
    assert wx.calls[SEND] == 2 and wx.force_refresh_calls == 1 and wx.stable_token_calls == 3
    assert len(wx.sent) == 1 and texts_to(wx.outbox, world.member_a) == 0


def test_an_expired_access_token_is_replaced_through_normal_mode(
    wx, world, django_capture_on_commit_callbacks
):
    accept(wx, world.member_a, "TPL-REVIEW")
    wechat.access_token(wechat.mini_app())
    wx.expire_tokens()  # 42001
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)

    assert set(deliveries(notice)) == {("wechat", S.SENT)}
    assert wx.calls[SEND] == 2 and wx.stable_token_calls == 2 and wx.force_refresh_calls == 0


def test_one_acceptance_is_spent_once_across_two_notices(
    wx, world, django_capture_on_commit_callbacks
):
    accept(wx, world.member_a, "TPL-REVIEW")
    first = review_outcome(world.member_a, django_capture_on_commit_callbacks, "第一条审核结果")
    second = review_outcome(world.member_a, django_capture_on_commit_callbacks, "第二条审核结果")

    assert set(deliveries(first)) == {("wechat", S.SENT)}
    assert set(deliveries(second)) == {("sms", S.SENT)}
    assert [m["data"]["thing1"]["value"] for m in wx.sent] == ["第一条审核结果"]
    assert texts_to(wx.outbox, world.member_a) == 1


def test_two_pushes_planned_on_one_acceptance_send_one_and_text_the_other(wx, world):
    """Both notices were dispatched while one acceptance was left: the send takes it with a
    conditional UPDATE, so the second push finds none and falls back."""
    accept(wx, world.member_a, "TPL-REVIEW")
    pushes = []
    for title in ("甲通知", "乙通知"):  # on_commit never runs here: nothing is dispatched
        notice = notice_publish(
            audience=Audience.user(world.member_a.user), kind=K.REVIEW_OUTCOME, title=title
        )
        pushes.append(
            NoticeDelivery.objects.create(
                notice=notice,
                member=world.member_a,
                user=world.member_a.user,
                channel="wechat",
                sms_fallback=True,
            )
        )
    assert [notice_delivery_send(delivery_id=p.pk) for p in pushes] == [S.SENT, S.FELL_BACK]
    assert len(wx.sent) == 1 and wx.calls[SEND] == 1
    assert texts_to(wx.outbox, world.member_a) == 1


@pytest.mark.parametrize(
    ("scene", "errcode"),
    [
        ("template the mini-program never added", 40037),
        ("openid that is no user of the mini-program", 40003),
    ],
)
def test_what_wechat_refuses_falls_back_to_the_text(
    wx, world, django_capture_on_commit_callbacks, scene, errcode
):
    accept(wx, world.member_a, "TPL-REVIEW")
    if errcode == 40037:
        wx.app_templates[MINI].discard("TPL-REVIEW")
    else:
        wx.users.discard((MINI, "o-member-a"))
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)
    rows = deliveries(notice)
    assert set(rows) == {("wechat", S.FELL_BACK), ("sms", S.SENT)}, scene
    assert rows[("wechat", S.FELL_BACK)].last_error.startswith(f"wechat {errcode}")
    assert texts_to(wx.outbox, world.member_a) == 1


def test_data_that_cannot_fit_the_template_is_never_sent_and_the_text_goes(
    wx, world, settings, django_capture_on_commit_callbacks
):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = {
        "review_outcome": {"template_id": "TPL-REVIEW", "fields": {"phrase1": "title"}}
    }
    wx.add_template("TPL-REVIEW", ["phrase1"])
    accept(wx, world.member_a, "TPL-REVIEW")
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)  # not a phrase
    assert wx.calls[SEND] == 0
    assert set(deliveries(notice)) == {("wechat", S.FELL_BACK), ("sms", S.SENT)}
    assert remaining(world.member_a, "TPL-REVIEW") == 1  # nothing went: still allowed


def test_a_member_who_wants_no_text_gets_the_push_and_nothing_else_on_failure(
    wx, world, django_capture_on_commit_callbacks
):
    """An activity notice reaches an activated member in the inbox; one who accepted the
    template gets the push too, and when WeChat refuses it no text follows (none was due)."""
    accept(wx, world.member_a, "TPL-NOTICE")
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_publish(
            audience=Audience.subtree(world.branch_a1), kind=K.ACTIVITY, title="七月主题党日"
        )
    assert set(deliveries(notice)) == {("wechat", S.SENT)}
    assert wx.sent[0]["template_id"] == "TPL-NOTICE"  # the kind has none of its own

    accept(wx, world.member_a, "TPL-NOTICE", at_wechat=False)
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_publish(
            audience=Audience.subtree(world.branch_a1), kind=K.ACTIVITY, title="八月主题党日"
        )
    rows = deliveries(notice)
    assert set(rows) == {("wechat", S.GAVE_UP)} and not rows[("wechat", S.GAVE_UP)].sms_fallback
    assert texts_to(wx.outbox, world.member_a) == 0


def test_a_broadcast_pushes_to_a_member_who_also_asked_for_texts(
    wx, world, django_capture_on_commit_callbacks
):
    notice_preference_set(user=world.member_a.user, kind=K.ACTIVITY, sms=True)
    accept(wx, world.member_a, "TPL-NOTICE")
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_publish(
            audience=Audience.subtree(world.branch_a1), kind=K.ACTIVITY, title="九月主题党日"
        )
    assert set(deliveries(notice)) == {("wechat", S.SENT)}
    assert texts_to(wx.outbox, world.member_a) == 0


def test_without_a_template_for_the_kind_nothing_changes(
    wx, world, settings, django_capture_on_commit_callbacks
):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = {}
    WechatSubscription.objects.create(
        binding=WechatBinding.objects.get(member=world.member_a),
        template_id="TPL-REVIEW",
        remaining=1,
    )
    notice = review_outcome(world.member_a, django_capture_on_commit_callbacks)
    assert set(deliveries(notice)) == {("sms", S.SENT)} and wx.calls[SEND] == 0


def test_the_staff_notice_page_counts_subscribe_messages_in_one_grouped_query(
    wx, world, client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # A member whose account staff disabled: no inbox, reached by the push alone.
    disabled = factories.activated_member(world.branch_a1, name="赵六")
    disabled.user.is_active = False
    disabled.user.save(update_fields=["is_active"])
    WechatBinding.objects.create(member=disabled, app_kind="mini", app_id=MINI, openid="o-zhao")
    wx.subscribe(MINI, "o-zhao", "TPL-NOTICE")
    WechatSubscription.objects.create(
        binding=WechatBinding.objects.get(member=disabled), template_id="TPL-NOTICE", remaining=1
    )
    accept(wx, world.member_a, "TPL-NOTICE")
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_publish(
            audience=Audience.subtree(world.branch_a1), kind=K.ACTIVITY, title="十月主题党日"
        )
    assert len(wx.sent) == 2

    from members import selectors

    notices = list(selectors.notice_manageable_list(user=world.county_staff))
    with django_assert_num_queries(1):
        [reach] = selectors.notice_reach_list(user=world.county_staff, notices=notices)
    assert reach.notice == notice
    assert (reach.inbox, reach.wechat, reach.wechat_extra, reach.sms) == (1, 1, 1, 0)
    assert reach.not_reached == {}

    factories.login_staff(client, world.county_staff)
    page = client.get("/staff/notices/").content.decode()
    assert "已送达（微信订阅消息）" in page
    assert "另有1名已激活党员收到微信订阅消息" in page
    assert Member.objects.filter(pk=disabled.pk).exists()
