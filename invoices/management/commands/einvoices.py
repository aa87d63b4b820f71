from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from invoices import einvoice
from invoices.models import EinvoiceDelivery

State = EinvoiceDelivery.State
FAILED = [State.FAILED, State.UNKNOWN]
NOT_SENT = [State.QUEUED, State.SENDING, *FAILED]


class Command(BaseCommand):
    help = (
        "Lists the e-invoice e-mails not sent (queued, being sent, failed, and those whose fate is unknown because "
        "a worker stopped after handing them to the mail server) and resends failed ones. Each run first recovers "
        "what dead workers left: a delivery claimed over 15 minutes ago that never reached the mail server is "
        "queued again; one that did is marked unknown and is never resent without --resend, since the server may "
        "have accepted it. Run it every few minutes from cron or a systemd timer. --resend ID... (with --reason) "
        "queues those deliveries again, with the same Message-ID; all or none. Skipped deliveries (the address "
        "changed after the consent) cannot be resent: the customer must consent to the new address."
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="List only failed and unknown deliveries.")
        parser.add_argument("--resend", nargs="+", type=int, metavar="ID", help="Delivery ids to send again.")
        parser.add_argument("--reason", default="", help="Why they are sent again (required with --resend).")
        parser.add_argument("--dry-run", action="store_true", help="Recover and resend nothing; only list.")

    def handle(self, *args, failed, resend, reason, dry_run, **options):
        if resend:
            self._resend(resend, reason=reason, dry_run=dry_run)
            return
        if not dry_run:
            requeued, unknown, lost = einvoice.recover()
            if requeued or unknown or lost:
                self.stdout.write(
                    _("Odzyskano po przerwanych workerach: w kolejce ponownie %(requeued)d, nieznany wynik "
                      "%(unknown)d, zadania utracone %(lost)d.")
                    % {"requeued": requeued, "unknown": unknown, "lost": lost}
                )  # fmt: skip
        deliveries = EinvoiceDelivery.objects.filter(state__in=FAILED if failed else NOT_SENT)
        deliveries = deliveries.select_related("invoice__customer").order_by("queued_at", "pk")
        count = 0
        for delivery in deliveries.iterator():
            count += 1
            error = delivery.last_error.splitlines()[0] if delivery.last_error else ""
            self.stdout.write(
                f"{delivery.pk}\t{delivery.invoice.number}\t{delivery.invoice.customer.code}\t{delivery.to}\t"
                f"{delivery.get_state_display()}\t{delivery.attempts}\t"
                f"{date_format(timezone.localtime(delivery.queued_at), 'd.m.Y H:i')}\t{error}"
            )
        if failed:
            summary = ngettext("%(n)d nieudana wysyłka.", "%(n)d nieudanych wysyłek.", count)
        else:
            summary = ngettext("%(n)d wysyłka niewysłana.", "%(n)d wysyłek niewysłanych.", count)
        self.stdout.write(summary % {"n": count})

    def _resend(self, ids, *, reason, dry_run):
        if not reason.strip():
            raise CommandError(_("--resend wymaga --reason: powód ponownej wysyłki jest zapisywany."))
        found = {delivery.pk: delivery for delivery in EinvoiceDelivery.objects.filter(pk__in=ids)}
        missing = sorted(set(ids) - set(found))
        if missing:
            raise CommandError(_("Nie ma wysyłek o numerach: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        with transaction.atomic():
            for pk in dict.fromkeys(ids):
                try:
                    einvoice.resend(delivery=found[pk], reason=reason)
                except einvoice.ResendRefused as refusal:
                    raise CommandError(f"{pk}: {refusal.args[0]} " + _("Nic nie zmieniono.")) from None
            if dry_run:
                transaction.set_rollback(True)
        count = len(found)
        message = ngettext("W kolejce ponownie: %(n)d wysyłka.", "W kolejce ponownie: %(n)d wysyłek.", count) % {
            "n": count
        }
        self.stdout.write(message + (" " + _("(próba: nic nie zapisano)") if dry_run else ""))
