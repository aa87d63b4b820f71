from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outages import notices
from outages.models import OutageNotice

State = OutageNotice.State
NOT_SENT = [State.QUEUED, State.SENDING, State.FAILED, State.UNKNOWN]


class Command(BaseCommand):
    help = (
        "Recovers the outage e-mails that dead workers left and lists those not sent (queued, being sent, failed, "
        "unknown). A notice claimed over 15 minutes ago that never reached the mail server is queued again; one "
        "that did is marked unknown and never resent by itself, since the server may have accepted it; a queued "
        "notice whose task was lost gets a new task. Run it every few minutes from cron or a systemd timer, "
        "beside `einvoices` and `accounts_housekeeping`. --dry-run only counts and lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; count what would be recovered.")

    def handle(self, *args, dry_run, **options):
        requeued, unknown, lost = notices.recover(dry_run=dry_run)
        waiting = OutageNotice.objects.filter(state__in=NOT_SENT).select_related("event__outage", "customer")
        count = 0
        for notice in waiting.order_by("queued_at", "pk").iterator():
            count += 1
            error = notice.last_error.splitlines()[0] if notice.last_error else ""
            self.stdout.write(
                f"{notice.pk}\t{notice.event.outage.title}\t{notice.event.get_kind_display()}\t"
                f"{notice.customer.code}\t{notice.get_state_display()}\t{notice.attempts}\t"
                f"{date_format(timezone.localtime(notice.queued_at), 'd.m.Y H:i')}\t{error}"
            )
        summary = _(
            "Po przerwanych workerach: w kolejce ponownie %(requeued)d, nieznany wynik %(unknown)d, zadania "
            "utracone %(lost)d. %(waiting)s"
        ) % {
            "requeued": requeued,
            "unknown": unknown,
            "lost": lost,
            "waiting": ngettext("%(n)d powiadomienie niewysłane.", "%(n)d powiadomień niewysłanych.", count)
            % {"n": count},
        }
        if dry_run:
            summary = _("Próba bez zapisu.") + " " + summary
        self.stdout.write(summary)
