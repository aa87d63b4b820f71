from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.staff import code_key
from accounts.throttle import store


class Command(BaseCommand):
    help = (
        "Removes a staff member's second factor (authenticator app and recovery codes), e.g. after a lost "
        "phone. Sessions verified by it stop reaching the admin at once; at the next login, after the "
        "password, the member enrols a new app. Also lifts the member's block for wrong codes. Check the "
        "person's identity before running it: whoever logs in next with the password enrols."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The staff member's username in the admin.")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be removed.")

    def handle(self, *args, username, dry_run, **options):
        user = User.objects.filter(username=username, customer__isnull=True).first()
        if user is None:
            raise CommandError(f"Nie ma pracownika o nazwie użytkownika „{username}”.")
        with transaction.atomic():
            apps = TOTPDevice.objects.devices_for_user(user)
            recovery = StaticDevice.objects.devices_for_user(user)
            counts = apps.count(), recovery.count()
            if not dry_run:
                apps.delete()
                recovery.delete()
                store().reset(code_key(user))
        verb = "do usunięcia" if dry_run else "usunięte"
        self.stdout.write(
            f"{username}: aplikacje uwierzytelniające {verb}: {counts[0]}, zestawy kodów zapasowych {verb}: "
            f"{counts[1]}" + ("" if dry_run else "; przy następnym logowaniu włączy weryfikację od nowa.")
        )
