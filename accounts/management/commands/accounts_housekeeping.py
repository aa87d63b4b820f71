import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import emails
from accounts.limits import LONGEST_WINDOW
from accounts.models import OneTimePassword
from accounts.throttle import store
from customers.importer.run import drop_abandoned_staging
from ops import heartbeat


class Command(BaseCommand):
    help = (
        "Housekeeping of the way in, safe to run at any time (cron every 5 minutes): queues again e-mails "
        "a dead worker left unsent, forgets expired one-time passwords' nonces, drops throttle counters "
        "older than the longest limit window and the staging tables of a billing import killed mid-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=15,
            help="An e-mail still unsent this long after it was queued, with no live task, is queued again.",
        )

    def handle(self, *args, stale_minutes, **options):
        requeued = emails.requeue_stale(older_than=datetime.timedelta(minutes=stale_minutes))
        wiped = OneTimePassword.objects.filter(expires_at__lte=timezone.now()).exclude(nonce="").update(nonce="")
        pruned = store().prune(datetime.timedelta(seconds=LONGEST_WINDOW))
        staging = drop_abandoned_staging()
        heartbeat.schedule()  # the worker's heartbeat (ops.heartbeat): queued again if its chain broke
        self.stdout.write(
            _(
                "e-maile ponownie w kolejce: %(requeued)d, wygasłe hasła: %(wiped)d, usunięte liczniki: %(pruned)d, "
                "porzucone tabele importu: %(staging)d"
            )
            % {"requeued": requeued, "wiped": wiped, "pruned": pruned, "staging": staging}
        )
