"""Measure the roster import: build a roster of N valid rows, run the dry run and the import,
report the times. Run it against a scratch database seeded with `seed_demo`, never a real one:

    DATABASE_URL=postgres://postgres@127.0.0.1/sanyuan_bench python manage.py migrate
    DATABASE_URL=… python manage.py seed_demo --members 200
    DATABASE_URL=… python manage.py bench_import --rows 100000
"""

import io
import random
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from openpyxl import Workbook

from members import permissions
from members.demo import demo_id_number, demo_name
from members.models import Member, RosterImport, Skill, User
from members.services import imports


class Command(BaseCommand):
    help = "Benchmark the roster import (dry run and import) with N generated rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--staff", default="county_admin")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--keep", action="store_true", help="keep the imported archives")

    def handle(self, *args, rows, staff, format, keep, **options):
        actor = User.objects.filter(username=staff).first()
        if actor is None or not permissions.is_staff(actor):
            raise CommandError(
                f"No staff user {staff!r}: run seed_demo first (in a scratch database)."
            )
        branches = list(
            permissions.filter_organizations_visible_to(actor)
            .filter(kind="branch")
            .values_list("code", flat=True)
        )
        skills = list(Skill.objects.values_list("name", flat=True)) or [""]
        rng = random.Random(7)
        header = [
            "姓名",
            "身份证号码",
            "手机号码",
            "党组织代码",
            "流入省份",
            "流入城市",
            "职业",
            "技能",
            "月收入",
        ]
        places = [
            ("广东省", "深圳市"),
            ("陕西省", "西安市"),
            ("江苏省", "苏州市"),
            ("浙江省", "杭州市"),
            ("上海市", "上海市"),
        ]
        body, seen = [], set()
        while len(body) < rows:
            id_number = demo_id_number(rng, region=rng.choice(["610422", "610423", "610404"]))
            if id_number in seen:
                continue
            seen.add(id_number)
            province, city = rng.choice(places)
            body.append(
                [
                    demo_name(rng),
                    id_number,
                    f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                    rng.choice(branches),
                    province,
                    city,
                    rng.choice(["建筑施工", "制造业工人", "个体经营"]),
                    rng.choice(skills),
                    str(rng.choice([3000, 4500, 6000, 8000])),
                ]
            )
        data = self._file(header, body, format)
        self.stdout.write(f"roster: {rows} rows, {len(data) / 1024 / 1024:.1f} MB ({format})")

        started = time.perf_counter()
        # The upload stores the file and enqueues the dry run; it is run here inline (a worker
        # that picks the task up later finds the roster checked and leaves it alone).
        roster = imports.roster_upload(
            actor=actor, uploaded_file=SimpleUploadedFile(f"bench.{format}", data)
        )
        imports.roster_check_run(roster_id=roster.pk)
        roster.refresh_from_db()
        checked = time.perf_counter() - started
        self.stdout.write(
            f"dry run: {checked:.1f} s ({rows / checked:,.0f} rows/s), {len(roster.errors_json)} errors, {roster.created} to create"
        )

        RosterImport.objects.filter(pk=roster.pk).update(status=RosterImport.Status.QUEUED)
        started = time.perf_counter()
        imports.roster_import_run(roster_id=roster.pk)
        imported = time.perf_counter() - started
        roster.refresh_from_db()
        self.stdout.write(
            f"import: {imported:.1f} s ({rows / imported:,.0f} rows/s), status {roster.status}, "
            f"created {roster.created}, updated {roster.updated}, unchanged {roster.unchanged}"
        )
        if not keep:
            Member.objects.filter(
                pk__in=Member.objects.order_by("-id").values("pk")[: roster.created]
            ).delete()
            self.stdout.write("imported archives deleted again (use --keep to keep them)")

    @staticmethod
    def _file(header, body, format) -> bytes:
        if format == "csv":
            lines = [",".join(header)] + [",".join(row) for row in body]
            return ("\n".join(lines) + "\n").encode("utf-8-sig")
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(header)
        for row in body:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
