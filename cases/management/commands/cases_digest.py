from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.digest import digest_collect, digest_send


class Command(BaseCommand):
    help = (
        "E-mails the staff who handle cases (the 'Obsługa klienta' group, anyone with cases.change_case and "
        "superusers; active, with an e-mail address) one digest: the cases filed since the previous digest (the "
        "first time: the last 24 hours) and every case past its due date still waiting for its first answer, with "
        "numbers, kinds, regions, due dates and admin links, never what customers wrote. Run it once a day: "
        "deploy/systemd/ebok-cases-digest.timer runs it at 7:00 on working days (or cron, README); the e-mails go "
        "through the outbox and db_worker. A second run the same day sends nothing, and nothing is sent when "
        "nothing is new or overdue. --dry-run lists what would be sent and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the digest and its recipients; send nothing.")

    def handle(self, *args, dry_run, verbosity, **options):
        digest = digest_collect() if dry_run else digest_send()
        day = date_format(digest.day, "d.m.Y")
        if digest.earlier_run is not None:
            at = date_format(timezone.localtime(digest.earlier_run.at), "H:i")
            self.stdout.write(
                _("Zestawienie z dnia %(day)s przygotowano już o %(at)s; nic nie wysłano.") % {"day": day, "at": at}
            )
            return
        if verbosity > 1 or dry_run:
            for title, cases in ((_("nowe"), digest.new), (_("po terminie"), digest.overdue)):
                for case in cases:
                    due = date_format(case.due_on, "d.m.Y")
                    self.stdout.write(f"{title}\t{case.number}\t{case.get_kind_display()}\t{case.region}\t{due}")
            for user in digest.recipients:
                self.stdout.write(_("do: %(email)s (%(user)s)") % {"email": user.email, "user": user.get_username()})
        if not digest.is_empty and not digest.recipients:
            self.stderr.write(
                _("Nikt nie dostanie zestawienia: żaden aktywny pracownik obsługi spraw nie ma adresu e-mail.")
            )
        sent = 0 if digest.is_empty else len(digest.recipients)
        summary = _(
            "Zestawienie z dnia %(day)s: nowe sprawy %(new)d, po terminie %(overdue)d, e-maile %(sent)d%(dry)s."
        ) % {
            "day": day,
            "new": len(digest.new),
            "overdue": len(digest.overdue),
            "sent": sent,
            "dry": _(" (próba: nic nie wysłano)") if dry_run else "",
        }
        self.stdout.write(summary)
