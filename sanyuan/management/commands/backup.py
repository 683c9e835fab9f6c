from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sanyuan.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and every uploaded file into a new "
        "directory, with a manifest (time, versions, row counts, key fingerprints - never keys)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty directory")

    def handle(self, *args, directory, **options):
        if connection.vendor != "postgresql":
            raise CommandError("This command needs PostgreSQL (DATABASE_URL).")
        try:
            manifest = backup_create(directory, report=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        rows = sum(manifest["database"]["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup in {directory}: {rows} rows in {len(manifest['database']['tables'])} "
                f"tables, {files['count']} files ({files['bytes']} bytes)."
            )
        )
        if files["missing_referenced_count"]:
            self.stderr.write(
                self.style.WARNING(
                    f"{files['missing_referenced_count']} files referenced by the database were "
                    f"not in the storage, e.g. {files['missing_referenced'][0]} (see manifest)."
                )
            )
