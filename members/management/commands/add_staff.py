from django.core.management.base import BaseCommand, CommandError

from members.models import Organization
from members.services.accounts import staff_account_upsert
from members.services.second_factor import (
    second_factor_device,
    second_factor_required,
    second_factor_reset,
)
from sanyuan.errors import ServiceError


class Command(BaseCommand):
    help = "Create or update a staff account with one grant (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--tier", required=True, choices=["county", "committee"])
        parser.add_argument("--organization", help="organisation code (committee: required)")
        parser.add_argument(
            "--reset-otp",
            action="store_true",
            help="remove the account's authenticator (lost phone): it enrols again at next login",
        )

    def handle(self, *args, username, password, tier, organization, reset_otp=False, **options):
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
        if reset_otp:
            removed = second_factor_reset(user=user)
            self.stdout.write(f"Removed {removed} authenticator(s) of {user.username}.")
        self.stdout.write(self.style.SUCCESS(f"Staff account {user.username} ({tier}) is ready."))
        if second_factor_required(user) and second_factor_device(user) is None:
            self.stdout.write(
                "This account needs a second factor: at its first login on the staff login "
                "page (/accounts/login/?as=staff) it scans a QR code with an authenticator "
                "app and confirms with a code; after that the API login needs `otp` too."
            )
