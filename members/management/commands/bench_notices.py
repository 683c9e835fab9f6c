"""Benchmark the notice service at province scale (issue 3): publish one notice to every
member of the top organisation, then read one member's inbox. Run against a scratch database
filled by `seed_scale`, with the production broker (or CELERY_TASK_ALWAYS_EAGER=1)."""

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

    def handle(self, *args, repeat, sms_share, **options):
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
