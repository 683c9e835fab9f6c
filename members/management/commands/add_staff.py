from django.core.management.base import BaseCommand, CommandError

from members.models import Organization
from members.services.accounts import staff_account_upsert
from sanyuan.errors import ServiceError


class Command(BaseCommand):
    help = "Create or update a staff account with one grant (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--tier", required=True, choices=["county", "committee"])
        parser.add_argument("--organization", help="organisation code (committee: required)")

    def handle(self, *args, username, password, tier, organization, **options):
        org = None
        if organization:
            org = Organization.objects.filter(code=organization).first()
            if org is None:
                raise CommandError(f"No organisation with code {organization!r}.")
        try:
            user = staff_account_upsert(
                username=username, password=password, tier=tier, organization=org
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Staff account {user.username} ({tier}) is ready."))
