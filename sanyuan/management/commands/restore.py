from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sanyuan.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the (empty) database of DATABASE_URL and the "
        "configured file storage. Refuses to start unless PII_ENCRYPTION_KEYS and "
        "PII_HASH_KEY are the backup's; verifies every table's row count and every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--skip-files", action="store_true", help="the database only (files restored apart)"
        )

    def handle(self, *args, directory, skip_files, **options):
        if connection.vendor != "postgresql":
            raise CommandError("This command needs PostgreSQL (DATABASE_URL).")
        try:
            manifest = restore(directory, skip_files=skip_files, report=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']}: every table and file is "
                "there and the keys open the data. Next: python manage.py migrate (if the code "
                "is newer than the backup), then start the services."
            )
        )
