from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
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
            raise CommandError(_("Nie ma pracownika o nazwie użytkownika „%(username)s”.") % {"username": username})
        with transaction.atomic():
            apps = TOTPDevice.objects.devices_for_user(user)
            recovery = StaticDevice.objects.devices_for_user(user)
            counts = apps.count(), recovery.count()
            if not dry_run:
                apps.delete()
                recovery.delete()
                store().reset(code_key(user))
        if dry_run:
            said = _(
                "%(username)s: aplikacje uwierzytelniające do usunięcia: %(apps)d, zestawy kodów zapasowych do "
                "usunięcia: %(recovery)d"
            )
        else:
            said = _(
                "%(username)s: aplikacje uwierzytelniające usunięte: %(apps)d, zestawy kodów zapasowych usunięte: "
                "%(recovery)d; przy następnym logowaniu włączy weryfikację od nowa."
            )
        self.stdout.write(said % {"username": username, "apps": counts[0], "recovery": counts[1]})
