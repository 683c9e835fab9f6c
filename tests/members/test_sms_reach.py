"""Notices reach every member by text message (issue 18): members who never activated get the
kinds that matter to them on the archive's phone, through the vendors' batch APIs, against the
local fakes of Aliyun and Tencent (tests/fakes/), which check every signature. Clock rules
(quiet hours, daily cap) under a frozen clock (time-machine)."""

import json
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from members.models import AuditEvent, Member, Notice, NoticeDelivery, SmsBudgetUsage
from members.services import sms_reach
from members.services.notices import Audience, notice_publish, notice_sweep
from tests import factories
from tests.fakes.aliyun_sms import FakeAliyunSms
from tests.fakes.tencent_sms import FakeTencentSms

pytestmark = pytest.mark.django_db
K = Notice.Kind
S = NoticeDelivery.Status
BEIJING = ZoneInfo("Asia/Shanghai")
TOKEN = "callback-token-0123456789"


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


class Gateway:
    """One fake vendor and the settings that point the project at it."""

    def __init__(self, vendor, fake):
        self.vendor, self.fake = vendor, fake

    def numbers(self) -> list[str]:
        return [m.phone.removeprefix("+86") for m in self.fake.state.sent]

    def rate_limit_next_call(self):
        code = (
            "isv.BUSINESS_LIMIT_CONTROL"
            if self.vendor == "aliyun"
            else "LimitExceeded.DeliveryFrequencyLimit"
        )
        self.fake.fail_next(code)


@pytest.fixture(params=["aliyun", "tencent"])
def gateway(request, settings):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    if request.param == "aliyun":
        with FakeAliyunSms() as fake:
            fake.add_template("SMS_NOTICE", {"title": 35})
            settings.SMS_BACKEND = "aliyun"
            settings.SMS_ALIYUN_ACCESS_KEY_ID = fake.state.access_key_id
            settings.SMS_ALIYUN_ACCESS_KEY_SECRET = fake.state.access_key_secret
            settings.SMS_ALIYUN_ENDPOINT = fake.endpoint
            settings.SMS_ALIYUN_PROTOCOL = "http"
            yield Gateway("aliyun", fake)
    else:
        with FakeTencentSms() as fake:
            fake.add_template("SMS_NOTICE", [12])
            settings.SMS_BACKEND = "tencent"
            settings.SMS_TENCENT_SECRET_ID = fake.state.secret_id
            settings.SMS_TENCENT_SECRET_KEY = fake.state.secret_key
            settings.SMS_TENCENT_SDK_APP_ID = fake.state.sdk_app_id
            settings.SMS_TENCENT_ENDPOINT = fake.endpoint
            settings.SMS_TENCENT_PROTOCOL = "http"
            yield Gateway("tencent", fake)


@pytest.fixture
def county(db):
    """A branch of 20 members, 60 % of whom never activated (12): one of them has no phone
    on the archive and one replied 退订 earlier; a member of another branch."""
    from members.models import Organization

    county = factories.organization("测试县", Organization.Kind.COUNTY)
    committee = factories.organization("测试街道党工委", Organization.Kind.COMMITTEE, county)
    branch = factories.organization("测试社区党支部", Organization.Kind.BRANCH, committee)
    other = factories.organization("另一党支部", Organization.Kind.BRANCH, committee)
    activated = [factories.activated_member(branch) for _ in range(8)]
    never = [factories.MemberFactory(organization=branch) for _ in range(12)]
    Member.objects.filter(pk=never[0].pk).update(phone="", phone_hash="")
    Member.objects.filter(pk=never[1].pk).update(sms_opt_out=True)
    outside = factories.MemberFactory(organization=other)
    county_staff = factories.staff("sms_county", "county", county)
    branch_staff = factories.staff("sms_branch", "committee", branch)
    phones = dict(Member.objects.values_list("pk", "phone"))
    return {
        "county": county,
        "branch": branch,
        "activated": activated,
        "never": never,
        "no_phone": never[0],
        "opted_out": never[1],
        "texted": never[2:],
        "outside": outside,
        "county_staff": county_staff,
        "branch_staff": branch_staff,
        "phone": phones,
    }


def publish_activity(branch, django_capture_on_commit_callbacks, title="七月主题党日"):
    with django_capture_on_commit_callbacks(execute=True):
        return notice_publish(audience=Audience.subtree(branch), kind=K.ACTIVITY, title=title)


def sms_rows(notice):
    return dict(NoticeDelivery.objects.filter(notice=notice).values_list("member_id", "status"))


def test_an_activity_notice_reaches_every_member_with_a_phone_once_by_inbox_or_sms(
    county, gateway, django_capture_on_commit_callbacks
):
    notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)

    notice.refresh_from_db()
    assert notice.inbox_count == 8  # the activated members read it in the inbox
    texted = {county["phone"][m.pk] for m in county["texted"]}
    assert Counter(gateway.numbers()) == Counter({phone: 1 for phone in texted})
    rows = sms_rows(notice)
    assert rows == {
        **{m.pk: S.SENT for m in county["texted"]},
        county["no_phone"].pk: S.NO_PHONE,
        county["opted_out"].pk: S.OPTED_OUT,
    }
    # Every member of the branch with a phone who did not opt out: exactly one way.
    for member in county["activated"] + county["texted"]:
        by_inbox = member.user_id is not None
        by_sms = rows.get(member.pk) == S.SENT
        assert by_inbox != by_sms, member
    assert county["outside"].pk not in rows


def test_members_with_an_account_keep_their_preferences(
    county, gateway, django_capture_on_commit_callbacks
):
    from members.services.notices import notice_preference_set

    chosen = county["activated"][0]
    notice_preference_set(user=chosen.user, kind=K.ACTIVITY, sms=True)
    notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
    assert county["phone"][chosen.pk] in gateway.numbers()
    assert NoticeDelivery.objects.get(notice=notice, member=chosen).user_id == chosen.user_id
    assert not NoticeDelivery.objects.filter(
        notice=notice, member__in=county["activated"][1:]
    ).exists()


def test_kinds_that_do_not_matter_to_every_member_go_to_the_inbox_only(
    county, gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice_publish(
            audience=Audience.subtree(county["branch"]), kind=K.ARTICLE, title="学习资料"
        )
    assert gateway.numbers() == []
    assert not NoticeDelivery.objects.exists()


def test_quiet_hours_hold_texts_until_the_morning_and_send_them_once(
    county, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_SMS_QUIET_START, settings.NOTICE_SMS_QUIET_END = "22:00", "08:00"
    with time_machine.travel(beijing(2027, 1, 1, 23, 30), tick=False):
        notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
        assert gateway.numbers() == []
        held = NoticeDelivery.objects.filter(notice=notice, status=S.HELD)
        assert held.count() == 10
        assert {row.next_attempt_at for row in held} == {beijing(2027, 1, 2, 8, 0)}
        notice_sweep()  # still night: nothing leaves
        assert gateway.numbers() == []
    with time_machine.travel(beijing(2027, 1, 2, 7, 59), tick=False):
        notice_sweep()
        assert gateway.numbers() == []
    with time_machine.travel(beijing(2027, 1, 2, 8, 1), tick=False):
        notice_sweep()
        notice_sweep()
    assert sorted(gateway.numbers()) == sorted(county["phone"][m.pk] for m in county["texted"])
    assert set(sms_rows(notice).values()) == {S.SENT, S.NO_PHONE, S.OPTED_OUT}


def test_the_daily_cap_per_member_stops_further_texts_that_day(
    county, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_SMS_DAILY_CAP = 2
    member = county["texted"][0]
    with time_machine.travel(beijing(2027, 1, 1, 10, 0), tick=False):
        notices = [
            publish_activity(county["branch"], django_capture_on_commit_callbacks, f"活动{n}")
            for n in range(3)
        ]
    statuses = [NoticeDelivery.objects.get(notice=n, member=member).status for n in notices]
    assert statuses == [S.SENT, S.SENT, S.SKIPPED]
    assert Counter(gateway.numbers())[county["phone"][member.pk]] == 2
    with time_machine.travel(beijing(2027, 1, 2, 10, 0), tick=False):
        publish_activity(county["branch"], django_capture_on_commit_callbacks, "次日活动")
    assert Counter(gateway.numbers())[county["phone"][member.pk]] == 3  # a new day


def test_a_gateway_outage_and_a_rate_limit_end_in_delivery_without_loss_or_duplicates(
    county, gateway, django_capture_on_commit_callbacks
):
    gateway.fake.state.outage = True
    notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
    assert gateway.numbers() == []
    failed = NoticeDelivery.objects.filter(notice=notice, status=S.FAILED)
    assert failed.count() == 10 and {row.attempts for row in failed} == {1}

    gateway.fake.state.outage = False
    gateway.rate_limit_next_call()
    notice_sweep()  # the gateway answers "too fast": still waiting, nothing lost
    assert gateway.numbers() == []
    assert NoticeDelivery.objects.filter(notice=notice, status=S.FAILED).count() == 10

    notice_sweep()
    notice_sweep()  # nothing due any more: no second message
    expected = {county["phone"][m.pk] for m in county["texted"]}
    assert Counter(gateway.numbers()) == Counter({phone: 1 for phone in expected})
    sent = NoticeDelivery.objects.filter(notice=notice, status=S.SENT)
    assert sent.count() == 10 and {row.attempts for row in sent} == {3}


def test_a_gateway_that_never_recovers_dead_letters_after_the_last_attempt(
    county, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_MAX_ATTEMPTS = 2
    gateway.fake.state.outage = True
    notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
    notice_sweep()
    notice_sweep()
    assert NoticeDelivery.objects.filter(notice=notice, status=S.DEAD).count() == 10
    assert gateway.numbers() == []


def test_an_invalid_number_marks_the_archive_and_tells_home_staff(
    county, settings, django_capture_on_commit_callbacks
):
    with FakeTencentSms() as fake:
        fake.add_template("SMS_NOTICE", [12])
        settings.SMS_BACKEND = "tencent"
        settings.SMS_TENCENT_SECRET_ID = fake.state.secret_id
        settings.SMS_TENCENT_SECRET_KEY = fake.state.secret_key
        settings.SMS_TENCENT_SDK_APP_ID = fake.state.sdk_app_id
        settings.SMS_TENCENT_ENDPOINT = fake.endpoint
        settings.SMS_TENCENT_PROTOCOL = "http"
        empty = county["texted"][0]
        fake.state.invalid_numbers.add(county["phone"][empty.pk])
        notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
        second = publish_activity(county["branch"], django_capture_on_commit_callbacks, "第二次")
        assert len(fake.state.sent) == 9 + 9  # the others got both; the invalid number once
    assert NoticeDelivery.objects.get(notice=notice, member=empty).status == S.PHONE_INVALID
    assert NoticeDelivery.objects.get(notice=second, member=empty).status == S.PHONE_INVALID
    empty.refresh_from_db()
    assert empty.phone_invalid_at is not None
    alert = Notice.objects.get(kind=K.SYSTEM, audience_organization=county["branch"])
    assert "待核实" in alert.title


def test_the_monthly_budget_of_a_county_stops_texts_and_warns_county_staff(
    county, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_SMS_MONTHLY_BUDGET = 6
    notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
    assert len(gateway.numbers()) == 6
    assert NoticeDelivery.objects.filter(notice=notice, status=S.OVER_BUDGET).count() == 4
    assert SmsBudgetUsage.objects.get(organization=county["county"]).sent == 6
    warning = Notice.objects.get(kind=K.SYSTEM, audience_organization=county["county"])
    assert "预算" in warning.title


# Opt-out: replies through the vendors' callbacks -------------------------------------------


def aliyun_push(phone, text):
    return json.dumps(
        [
            {
                "phone_number": phone,
                "content": text,
                "send_time": "2026-07-01 10:00:00",
                "dest_code": "1234",
                "sequence_id": 1,
            }
        ],
        ensure_ascii=False,
    )


def test_a_td_reply_through_aliyun_sets_the_opt_out_and_is_audited(county, client, settings):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    member = county["texted"][0]
    phone = county["phone"][member.pk]
    response = client.post(
        f"/api/sms/aliyun/replies/?token={TOKEN}",
        aliyun_push(phone, "退订"),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["code"] == 0
    member.refresh_from_db()
    assert member.sms_opt_out
    assert AuditEvent.objects.filter(
        action="member.sms_opt_out.reply", target_id=str(member.pk)
    ).exists()


def test_a_reply_that_is_not_an_opt_out_changes_nothing(county, client, settings):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    member = county["texted"][0]
    client.post(
        f"/api/sms/aliyun/replies/?token={TOKEN}",
        aliyun_push(county["phone"][member.pk], "收到，谢谢"),
        content_type="application/json",
    )
    member.refresh_from_db()
    assert not member.sms_opt_out


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_a_callback_without_the_token_is_refused_and_changes_nothing(
    county, client, settings, token
):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    member = county["texted"][0]
    body = aliyun_push(county["phone"][member.pk], "TD")
    response = client.post(
        f"/api/sms/aliyun/replies/?token={token}", body, content_type="application/json"
    )
    assert response.status_code == 403
    tencent = json.dumps({"mobile": county["phone"][member.pk], "text": "R", "time": 1751335200})
    response = client.post(
        f"/api/sms/tencent/replies/?token={token}", tencent, content_type="application/json"
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.sms_opt_out


def test_a_malformed_callback_with_the_token_answers_400(county, client, settings):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    response = client.post(
        f"/api/sms/tencent/replies/?token={TOKEN}", "not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_an_r_reply_through_tencent_sets_the_opt_out(county, client, settings):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    member = county["texted"][0]
    body = json.dumps(
        {
            "extend": "",
            "mobile": county["phone"][member.pk],
            "nationcode": "86",
            "sign": "三原县委组织部",
            "text": " r ",
            "time": 1751335200,
        }
    )
    response = client.post(
        f"/api/sms/tencent/replies/?token={TOKEN}", body, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["result"] == 0
    member.refresh_from_db()
    assert member.sms_opt_out


def test_a_signed_mns_push_sets_the_opt_out_and_a_forged_one_is_refused(county, client, settings):
    from tests.fakes.mns import FakeMnsSigner

    member = county["texted"][0]
    body = aliyun_push(county["phone"][member.pk], "TD")[1:-1].encode()  # one reply object
    path = "/api/sms/aliyun/mns/"
    with FakeMnsSigner() as mns:
        settings.SMS_MNS_CERT_URL_PREFIXES = [mns.cert_url_prefix]
        headers = mns.push_headers(body, path=path)
        forged = {**headers, "Content-MD5": mns.push_headers(b"x", path=path)["Content-MD5"]}
        refused = client.post(
            path, body, content_type=headers["Content-Type"], headers=_without_ct(forged)
        )
        assert refused.status_code == 403
        member.refresh_from_db()
        assert not member.sms_opt_out
        accepted = client.post(
            path, body, content_type=headers["Content-Type"], headers=_without_ct(headers)
        )
    assert accepted.status_code == 200, accepted.content
    member.refresh_from_db()
    assert member.sms_opt_out


def _without_ct(headers):
    return {k: v for k, v in headers.items() if k.lower() != "content-type"}


def test_an_opted_out_member_gets_no_further_text(
    county, gateway, django_capture_on_commit_callbacks
):
    member = county["texted"][0]
    sms_reach.sms_replies_apply(
        replies=[sms_reach.InboundSms(county["phone"][member.pk], "TD", beijing(2027, 1, 1))],
        source="短信回复",
    )
    notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
    assert county["phone"][member.pk] not in gateway.numbers()
    assert NoticeDelivery.objects.get(notice=notice, member=member).status == S.OPTED_OUT


# Receipts -----------------------------------------------------------------------------------


def test_the_tencent_status_callback_marks_deliveries_delivered(
    county, settings, client, django_capture_on_commit_callbacks
):
    with FakeTencentSms() as fake:
        fake.add_template("SMS_NOTICE", [12])
        settings.SMS_BACKEND = "tencent"
        settings.SMS_TENCENT_SECRET_ID = fake.state.secret_id
        settings.SMS_TENCENT_SECRET_KEY = fake.state.secret_key
        settings.SMS_TENCENT_SDK_APP_ID = fake.state.sdk_app_id
        settings.SMS_TENCENT_ENDPOINT = fake.endpoint
        settings.SMS_TENCENT_PROTOCOL = "http"
        settings.SMS_CALLBACK_TOKEN = TOKEN
        notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
        body = fake.status_callback_body()
    response = client.post(
        f"/api/sms/tencent/status/?token={TOKEN}", body, content_type="application/json"
    )
    assert response.status_code == 200
    assert NoticeDelivery.objects.filter(notice=notice, status=S.DELIVERED).count() == 10


def test_aliyun_receipts_are_polled_by_query_send_details(
    county, settings, django_capture_on_commit_callbacks
):
    with FakeAliyunSms() as fake:
        fake.add_template("SMS_NOTICE", {"title": 35})
        settings.SMS_BACKEND = "aliyun"
        settings.SMS_ALIYUN_ACCESS_KEY_ID = fake.state.access_key_id
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = fake.state.access_key_secret
        settings.SMS_ALIYUN_ENDPOINT = fake.endpoint
        settings.SMS_ALIYUN_PROTOCOL = "http"
        notice = publish_activity(county["branch"], django_capture_on_commit_callbacks)
        fake.state.sent[0].status, fake.state.sent[0].err_code = 2, "MOBILE_NOT_ON_SERVICE"
        assert sms_reach.sms_receipts_poll() == 10
    statuses = Counter(
        NoticeDelivery.objects.filter(notice=notice).values_list("status", flat=True)
    )
    assert statuses[S.DELIVERED] == 9 and statuses[S.UNDELIVERED] == 1


# Staff ---------------------------------------------------------------------------------------


def test_home_staff_set_and_clear_the_opt_out_and_both_are_audited(county, client):
    member = county["texted"][0]
    factories.login_staff(client, county["branch_staff"])
    url = f"/staff/members/{member.pk}/"
    assert client.post(url, {"action": "sms_opt_out", "value": "1"}).status_code == 302
    member.refresh_from_db()
    assert member.sms_opt_out
    client.post(url, {"action": "sms_opt_out", "value": "0"})
    member.refresh_from_db()
    assert not member.sms_opt_out
    actions = list(
        AuditEvent.objects.filter(target_id=str(member.pk), action__startswith="member.sms")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["member.sms_opt_out.set", "member.sms_opt_out.clear"]


def test_a_bad_opt_out_value_is_refused_in_chinese_and_changes_nothing(county, client):
    member = county["texted"][0]
    factories.login_staff(client, county["branch_staff"])
    response = client.post(
        f"/staff/members/{member.pk}/", {"action": "sms_opt_out", "value": "maybe"}, follow=True
    )
    assert "请选择退订或恢复通知短信" in response.content.decode()
    member.refresh_from_db()
    assert not member.sms_opt_out


def test_the_staff_notice_page_says_who_was_reached_how_in_one_grouped_query(
    county, gateway, client, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.NOTICE_SMS_QUIET_START, settings.NOTICE_SMS_QUIET_END = "22:00", "08:00"
    with time_machine.travel(beijing(2027, 1, 1, 10, 0), tick=False):
        publish_activity(county["branch"], django_capture_on_commit_callbacks, "白天的通知")
    Member.objects.filter(pk=county["texted"][-1].pk).update(phone_invalid_at=beijing(2027, 1, 1))
    with time_machine.travel(beijing(2027, 1, 1, 23, 0), tick=False):
        publish_activity(county["branch"], django_capture_on_commit_callbacks, "夜里的通知")
    factories.login_staff(client, county["county_staff"])
    page = client.get("/staff/notices/").content.decode()
    assert "白天的通知" in page and "夜里的通知" in page
    assert "未送达（已退订）：1人" in page
    assert "未送达（无手机号）：1人" in page
    assert "号码待核实：1人" in page
    assert "10人" in page  # reached by SMS by day
    assert "9人" in page  # held at night
    assert "8人" in page  # the inbox

    from members import selectors

    notices = list(selectors.notice_manageable_list(user=county["county_staff"]))
    with django_assert_num_queries(1):
        reach = selectors.notice_reach_list(user=county["county_staff"], notices=notices)
    night, day = reach
    assert (day.inbox, day.sms, day.held) == (8, 10, 0)
    assert (night.inbox, night.sms, night.held) == (8, 0, 9)
    assert night.not_reached == {"未送达（无手机号）": 1, "未送达（已退订）": 1, "号码待核实": 1}


def test_committee_staff_of_another_subtree_do_not_see_the_notice(county, world, client):
    notice_publish(audience=Audience.subtree(county["branch"]), kind=K.ACTIVITY, title="保密通知")
    factories.login_staff(client, world.staff_a)
    assert "保密通知" not in client.get("/staff/notices/").content.decode()


def test_correcting_the_phone_clears_the_invalid_mark(county):
    from members.services.archive import member_update

    member = county["texted"][0]
    Member.objects.filter(pk=member.pk).update(phone_invalid_at=beijing(2027, 1, 1))
    member.refresh_from_db()
    member_update(actor=county["branch_staff"], member=member, phone="13812345678")
    member.refresh_from_db()
    assert member.phone == "13812345678" and member.phone_invalid_at is None


@pytest.mark.django_db(transaction=True)
def test_two_senders_never_claim_one_text_and_a_locked_one_is_skipped_not_waited_for():
    """The batch claim is one UPDATE … WHERE id IN (… FOR UPDATE SKIP LOCKED) RETURNING: a
    delivery another worker holds is passed over, and a claimed one is not due again."""
    import threading

    from django.db import connection, transaction

    from members.models import Organization

    county = factories.organization("并发县", Organization.Kind.COUNTY)
    committee = factories.organization("并发党工委", Organization.Kind.COMMITTEE, county)
    branch = factories.organization("并发支部", Organization.Kind.BRANCH, committee)
    members = [factories.MemberFactory(organization=branch) for _ in range(5)]
    notice = Notice.objects.create(kind=K.ACTIVITY, title="并发领取", audience="subtree")
    rows = [
        NoticeDelivery.objects.create(notice=notice, member=m, channel="sms", status=S.PENDING)
        for m in members
    ]
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            list(NoticeDelivery.objects.select_for_update().filter(pk__in=[r.pk for r in rows[:2]]))
            locked.set()
            release.wait(10)
        connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert locked.wait(10)
        claimed, held, cursor = sms_reach._claim(notice.pk, 0)
        assert [d.pk for d in claimed] == [r.pk for r in rows[2:]]
        assert held == 0 and cursor == rows[-1].pk
        assert all(d.notice.title == "并发领取" and d.attempts == 1 for d in claimed)
        assert sms_reach._claim(notice.pk, 0)[0] == []  # claimed ones are not due; locked skipped
    finally:
        release.set()
        worker.join()
    assert Counter(NoticeDelivery.objects.values_list("status", flat=True)) == {
        S.SENDING: 3,
        S.PENDING: 2,
    }
    assert [d.pk for d in sms_reach._claim(notice.pk, 0)[0]] == [r.pk for r in rows[:2]]
