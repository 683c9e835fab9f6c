import importlib
import random
import time

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from members.models import Member
from sanyuan.scale import ScaleContext

DEFAULT_SIZES = {
    "organizations": 10_000,
    "members": 1_000_000,
    "staff": 1_000,
    "activated_share": 0.6,
    "threads": 200_000,
    "posts": 2_000_000,
    "articles": 20_000,
    "study_records": 5_000_000,
    "activities": 50_000,
    "change_requests": 10_000,
}


class Command(BaseCommand):
    help = (
        "Fill a scratch PostgreSQL database with a province (1,000,000 members by default) using "
        "COPY. Never run it against a real database; never part of CI."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply every size (0.01 for a quick try)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--only", nargs="*", help="app labels to seed (default: all)")
        parser.add_argument("--i-know-this-is-scratch", action="store_true", dest="confirmed")

    def handle(self, *args, scale, seed, only, confirmed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL.")
        if Member.objects.exists() and not confirmed:
            raise CommandError("The database already holds members. Use an empty scratch database.")
        sizes = {
            key: (value if key == "activated_share" else max(1, int(value * scale)))
            for key, value in DEFAULT_SIZES.items()
        }
        started = time.perf_counter()
        password_hash = make_password("Scale@2026")  # one hash for every account
        ctx = ScaleContext(
            rng=random.Random(seed), now=timezone.now(), sizes=sizes, password_hash=password_hash
        )
        for config in apps.get_app_configs():
            if only and config.label not in only:
                continue
            try:
                module = importlib.import_module(f"{config.name}.scale")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.scale":
                    raise
                continue
            if not hasattr(module, "seed"):
                continue
            with transaction.atomic():
                for line in module.seed(ctx) or []:
                    self.stdout.write(f"{config.label}: {line}")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for label, seconds in ctx.timings:
            self.stdout.write(f"  {label:<28} {seconds:8.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"seed_scale finished in {time.perf_counter() - started:.0f} s")
        )
