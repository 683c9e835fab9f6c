import importlib
import random

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from members.models import Member, Organization


class Command(BaseCommand):
    help = "Fill the database with a realistic demo county (deterministic per --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=2200)
        parser.add_argument("--seed", type=int, default=20261127)
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even though the database already holds organisations or members",
        )

    def handle(self, *args, members, seed, force, **options):
        if members < 2:
            raise CommandError("--members must be at least 2")
        if not force and (Organization.objects.exists() or Member.objects.exists()):
            raise CommandError(
                "The database already holds data; seed_demo refuses to mix demo data into it. "
                "Use a new database, or --force if this really is a demo database."
            )
        rng = random.Random(seed)
        finishers = []
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            for line in module.seed(rng=rng, members=members) or []:
                self.stdout.write(f"{config.verbose_name}: {line}")
            if hasattr(module, "finish"):
                finishers.append((config, module.finish))
        for config, finish in finishers:
            for line in finish(rng=rng) or []:
                self.stdout.write(f"{config.verbose_name}: {line}")
        self.stdout.write(self.style.SUCCESS("Demo data seeded."))
