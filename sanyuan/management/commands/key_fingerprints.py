from django.core.management.base import BaseCommand, CommandError

from sanyuan.keys import encryption_fingerprints, hash_key_fingerprint, key_problems


class Command(BaseCommand):
    help = (
        "Print the fingerprints (never the keys) of PII_ENCRYPTION_KEYS and PII_HASH_KEY, and "
        "whether they open the data in the database."
    )

    def handle(self, *args, **options):
        for index, fingerprint in enumerate(encryption_fingerprints()):
            role = "encrypts and decrypts" if index == 0 else "decrypts"
            self.stdout.write(f"PII_ENCRYPTION_KEYS[{index}] {fingerprint} ({role})")
        self.stdout.write(f"PII_HASH_KEY {hash_key_fingerprint()}")
        problems = key_problems()
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("The keys open the data in the database (or it holds none yet).")
