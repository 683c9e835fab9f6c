import argparse

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from sanyuan import rotation
from sanyuan.keys import encryption_fingerprints, hash_key_fingerprint
from sanyuan.models import KeyRotationProgress


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the first key of PII_ENCRYPTION_KEYS and rebuild the "
        "keyed hashes under PII_HASH_KEY. Resumable: interrupt and run again at any time. "
        "--verify reads everything and fails if anything still needs the old keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--verify", action="store_true", help="only check; exit 1 if anything is left"
        )
        parser.add_argument(
            "--restart", action="store_true", help="forget recorded progress for these keys"
        )
        parser.add_argument("--max-batches", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, batch_size, verify, restart, max_batches, **options):
        if connection.vendor != "postgresql":
            raise CommandError("This command needs PostgreSQL (DATABASE_URL).")
        fingerprints = encryption_fingerprints()
        self.stdout.write(
            f"Encrypting key {fingerprints[0]}"
            + (f" (also reading {', '.join(fingerprints[1:])})" if len(fingerprints) > 1 else "")
            + f"; hash key {hash_key_fingerprint()}."
        )
        if verify:
            return self.verify(batch_size)
        if restart:
            rotation.forget_progress()
        results, finished = rotation.rotate_all(
            batch_size=batch_size, max_batches=max_batches, report=self.stdout.write
        )
        for result in results:
            resumed = f" (resumed after {result.resumed_from})" if result.resumed_from else ""
            self.stdout.write(
                f"{result.table}: {result.rows_reencrypted} re-encrypted, "
                f"{result.rows_rehashed} hashes rebuilt{resumed}"
            )
        if not finished:
            self.stdout.write(self.style.WARNING("Stopped early; run the command again."))
            return
        voided = self.void_one_time_codes()
        if voided:
            self.stdout.write(
                f"{voided} unused one-time codes were voided (made with the old hash key); "
                "members ask for a new code, staff issue new ones."
            )
        forgotten = self.forget_remembered_devices()
        if forgotten:
            self.stdout.write(
                f"{forgotten} remembered phones were forgotten (记住我 tokens hashed with the old "
                "hash key); those members type their name and ID number once more."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Done. Check with --verify, then remove the old keys from PII_ENCRYPTION_KEYS."
            )
        )

    def verify(self, batch_size):
        left = 0
        for result in rotation.verify_all(batch_size=batch_size):
            self.stdout.write(
                f"{result.table}: {result.rows} rows, {result.not_under_current_key} not under "
                f"the first key, {result.stale_hashes} hashes not made with PII_HASH_KEY"
            )
            left += result.not_under_current_key + result.stale_hashes
        if left:
            raise CommandError(f"{left} rows still need rotate_pii_keys; keep the old keys.")
        self.stdout.write(self.style.SUCCESS("Everything is under the configured keys."))

    def forget_remembered_devices(self) -> int:
        """记住我 tokens are kept only as keyed hashes: under a new hash key none matches, so
        the phones are forgotten and their sessions ended."""
        from members.services.devices import devices_forget_all

        if not self._rehashed():
            return 0
        return devices_forget_all()

    def _rehashed(self) -> int:
        return (
            KeyRotationProgress.objects.filter(target=rotation.rotation_target()).aggregate(
                n=Sum("rows_rehashed")
            )["n"]
            or 0
        )

    def void_one_time_codes(self) -> int:
        from members.models import OneTimeCode

        rehashed = KeyRotationProgress.objects.filter(target=rotation.rotation_target()).aggregate(
            n=Sum("rows_rehashed")
        )["n"]
        if not rehashed:
            return 0
        return OneTimeCode.objects.filter(used_at__isnull=True, voided_at__isnull=True).update(
            voided_at=timezone.now()
        )
