from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffAction, User
from accounts.staff import code_key
from accounts.throttle import store


def staff_member(username):
    member = User.objects.filter(username=username, customer__isnull=True).first()
    if member is None:
        raise CommandError(_("Nie ma pracownika o nazwie użytkownika „%(username)s”.") % {"username": username})
    return member


class Command(BaseCommand):
    help = (
        "Removes a staff member's second factor (authenticator app and recovery codes), e.g. after a lost "
        "phone, and grants a permit to enrol a new one at the next login within 72 hours "
        "(accounts.limits.STAFF_ENROLMENT_PERMIT). Sessions verified by the old app stop reaching the admin "
        "at once. Also lifts the member's block for wrong codes. For a member who has no app yet (an "
        "account older than the permits, or one whose permit ran out) it only grants the permit. Check the "
        "person's identity before running it: whoever logs in next with the password enrols. --by names the "
        "administrator running it, for the log of staff actions."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The staff member's username in the admin.")
        parser.add_argument("--by", help="Your own username in the admin (required unless --dry-run).")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be removed.")

    def handle(self, *args, username, by, dry_run, **options):
        member = staff_member(username)
        if not dry_run and not by:
            raise CommandError(_("Podaj --by <nazwa użytkownika>: kto wykonuje polecenie (dziennik czynności)."))
        admin = staff_member(by) if by else None
        with transaction.atomic():
            apps = TOTPDevice.objects.devices_for_user(member)
            recovery = StaticDevice.objects.devices_for_user(member)
            counts = {"username": username, "apps": apps.count(), "recovery": recovery.count()}
            if not dry_run:
                apps.delete()
                recovery.delete()
                member.grant_second_factor_enrolment()
                StaffAction.objects.second_factor_reset(staff=admin, member=member)
                store().reset(code_key(member))
        if dry_run:
            said = _(
                "%(username)s: aplikacje uwierzytelniające do usunięcia: %(apps)d, zestawy kodów zapasowych do "
                "usunięcia: %(recovery)d"
            )
        else:
            counts["until"] = f"{timezone.localtime(member.otp_enrolment_until):%Y-%m-%d %H:%M}"
            said = _(
                "%(username)s: aplikacje uwierzytelniające usunięte: %(apps)d, zestawy kodów zapasowych usunięte: "
                "%(recovery)d; weryfikację dwuetapową można włączyć przy logowaniu do %(until)s."
            )
        self.stdout.write(said % counts)
