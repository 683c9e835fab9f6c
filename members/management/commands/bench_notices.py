"""Benchmark the notice service at province scale (issue 3): publish one notice to every
member of the top organisation, then read one member's inbox. Run against a scratch database
filled by `seed_scale`, with the production broker (or CELERY_TASK_ALWAYS_EAGER=1).

`--sms-fanout N` (issue 18) instead times one activity notice to N members who never
activated, from dispatch to the last vendor answer, through the batch APIs of the local
Aliyun and Tencent fakes (tests/fakes/, so it runs from a checkout); everything it creates is
rolled back."""

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext

from members import selectors
from members.models import Member, Notice, NoticePreference, Organization
from members.services.notices import Audience, notice_dispatch, notice_publish


class Command(BaseCommand):
    help = "Publish a subtree-wide notice to every seeded member and time the inbox of one member."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=50)
        parser.add_argument("--sms-share", type=float, default=0.01, help="members opted in to SMS")

        parser.add_argument(
            "--sms-fanout",
            type=int,
            default=0,
            help="time SMS fan-out to N members without an account through the fake gateways",
        )

    def handle(self, *args, repeat, sms_share, sms_fanout, **options):
        if sms_fanout:
            return self._sms_fanout(sms_fanout)
        root = (
            Organization.objects.filter(parent__isnull=True)
            .exclude(kind="host")
            .order_by("path")
            .first()
        )
        if root is None:
            raise CommandError("No organisation tree: run seed_scale first.")
        members = Member.objects.filter(organization__path__startswith=root.path).count()
        self.stdout.write(f"audience: {root.name}, {members:,} members")

        opted = int(members * sms_share)
        NoticePreference.objects.filter(kind=Notice.Kind.ACTIVITY).delete()
        user_ids = list(
            Member.objects.filter(user__isnull=False)
            .order_by("?")
            .values_list("user_id", flat=True)[:opted]
        )
        NoticePreference.objects.bulk_create(
            [
                NoticePreference(user_id=uid, kind=Notice.Kind.ACTIVITY, sms=True)
                for uid in user_ids
            ],
            batch_size=5000,
        )

        publish_times = []
        for n in range(5):
            started = time.perf_counter()
            with transaction.atomic():
                notice = notice_publish(
                    audience=Audience.subtree(root),
                    kind=Notice.Kind.ACTIVITY,
                    title=f"全省流动党员主题党日（第{n + 1}次）",
                    body="请按时参加线上主题党日。",
                    link="/activities/",
                )
                publish_times.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"publish to {members:,} members: median {statistics.median(publish_times):.2f} ms "
            f"(one notice row; every member can read it at once)"
        )
        Notice.objects.filter(pk=notice.pk).update(dispatched_at=None, dispatch_cursor=0)
        started = time.perf_counter()
        created = notice_dispatch(notice_id=notice.pk)
        self.stdout.write(
            f"SMS fan-out (Celery task after commit) for {len(user_ids):,} opted-in members: "
            f"{created:,} deliveries in {time.perf_counter() - started:.1f} s"
        )

        member = (
            Member.objects.filter(user__isnull=False, organization__path__startswith=root.path)
            .select_related("user")
            .order_by("?")
            .first()
        )
        timings, unread_timings = [], []
        for _ in range(repeat):
            user = type(member.user).objects.get(pk=member.user_id)
            reset_queries()  # the capture reads a bounded log; start it empty
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                page = selectors.notice_inbox(user=user, page_size=20)
            timings.append((time.perf_counter() - started) * 1000)
            query_count = len(queries)
            started = time.perf_counter()
            selectors.notice_unread_count(user=user)
            unread_timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        self.stdout.write(
            f"inbox page (20) for one member: median {statistics.median(timings):.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:.2f} ms, {query_count} queries, {len(page.results)} notices"
        )
        self.stdout.write(f"unread count: median {statistics.median(unread_timings):.2f} ms")

    def _sms_fanout(self, n: int) -> None:
        try:
            from tests.fakes.aliyun_sms import FakeAliyunSms
            from tests.fakes.tencent_sms import FakeTencentSms
        except ImportError as exc:
            raise CommandError("--sms-fanout needs the checkout's tests/fakes/.") from exc
        with transaction.atomic():
            branch = self._fanout_members(n)
            self.stdout.write(f"SMS fan-out to {n:,} members without an account:")
            with FakeAliyunSms() as fake:
                fake.add_template("SMS_NOTICE", {"title": 35})
                state = fake.state
                vendor = {
                    "SMS_BACKEND": "aliyun",
                    "SMS_ALIYUN_ACCESS_KEY_ID": state.access_key_id,
                    "SMS_ALIYUN_ACCESS_KEY_SECRET": state.access_key_secret,
                    "SMS_ALIYUN_ENDPOINT": fake.endpoint,
                    "SMS_ALIYUN_PROTOCOL": "http",
                }
                self._fanout_once("aliyun", branch, vendor, fake)
            with FakeTencentSms() as fake:
                fake.add_template("SMS_NOTICE", [12])
                state = fake.state
                vendor = {
                    "SMS_BACKEND": "tencent",
                    "SMS_TENCENT_SECRET_ID": state.secret_id,
                    "SMS_TENCENT_SECRET_KEY": state.secret_key,
                    "SMS_TENCENT_SDK_APP_ID": state.sdk_app_id,
                    "SMS_TENCENT_ENDPOINT": fake.endpoint,
                    "SMS_TENCENT_PROTOCOL": "http",
                }
                self._fanout_once("tencent", branch, vendor, fake)
            transaction.set_rollback(True)

    def _fanout_members(self, n: int) -> Organization:
        from datetime import date, timedelta

        from members.identity import id_number_check_digit
        from members.services.organizations import organization_create

        branch = organization_create(
            code="BENCH-SMS-FANOUT", name="短信压测县", kind=Organization.Kind.COUNTY, parent=None
        )
        members = []
        for i in range(n):
            birth = date(1960, 1, 1) + timedelta(days=i // 900)
            first17 = f"610422{birth:%Y%m%d}{100 + i % 900:03d}"
            member = Member(name="测试党员", phone=f"137{i:08d}", organization=branch)
            member.set_id_number(first17 + id_number_check_digit(first17))
            members.append(member)
        Member.objects.bulk_create(members, batch_size=2000)
        return branch

    def _fanout_once(self, vendor_name, branch, vendor, fake) -> None:
        from django.test import override_settings

        from members.models import NoticeDelivery
        from members.services.sms_reach import notice_sms_send

        rules = {
            "NOTICE_SMS_QUIET_START": "00:00",
            "NOTICE_SMS_QUIET_END": "00:00",
            "NOTICE_SMS_DAILY_CAP": 100,
            "NOTICE_SMS_MONTHLY_BUDGET": 0,
        }
        with override_settings(**vendor, **rules):
            with transaction.atomic():
                notice = notice_publish(
                    audience=Audience.subtree(branch),
                    kind=Notice.Kind.ACTIVITY,
                    title="关于开展七月主题党日活动的通知",
                )
            started, cpu = time.perf_counter(), time.process_time()
            created = notice_dispatch(notice_id=notice.pk)
            dispatched = time.perf_counter() - started
            notice_sms_send(notice_id=notice.pk)  # nothing left if the dispatch sent inline
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
        sent = NoticeDelivery.objects.filter(notice=notice, status="sent").count()
        self.stdout.write(
            f"  {vendor_name}: {created:,} deliveries, {sent:,} sent in {len(fake.state.calls)} "
            f"vendor calls, {elapsed:.2f} s from dispatch to the last answer "
            f"(dispatch {dispatched:.2f} s; this process's CPU {cpu:.2f} s, the fake's included)"
        )
