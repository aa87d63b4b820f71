"""manage.py outage_notices: recovers what dead workers left and lists what was not sent."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from outages.models import OutageNotice
from outages.services import outage_publish
from tests.outages.conftest import make_outage

State = OutageNotice.State


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("outage_notices", *args, stdout=out)
    return out.getvalue()


def stale_notice(owner, point, **fields):
    outage_publish(outage=make_outage(owner.region, [point]))
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    OutageNotice.objects.update(state=State.SENDING, claimed_at=long_ago, **fields)
    return OutageNotice.objects.get()


def test_it_queues_again_a_notice_that_never_reached_the_mail_server(owner, point):
    notice = stale_notice(owner, point)
    output = run()
    assert "w kolejce ponownie 1, nieznany wynik 0, zadania utracone 0. 1 powiadomienie niewysłane." in output
    notice.refresh_from_db()
    assert notice.state == State.QUEUED


def test_it_marks_unknown_one_that_may_have_been_sent(owner, point):
    notice = stale_notice(owner, point, handed_over_at=timezone.now() - datetime.timedelta(hours=1))
    assert "nieznany wynik 1" in run()
    notice.refresh_from_db()
    assert notice.state == State.UNKNOWN


def test_a_dry_run_changes_nothing(owner, point):
    notice = stale_notice(owner, point)
    output = run("--dry-run")
    assert output.splitlines()[-1].startswith("Próba bez zapisu. Po przerwanych workerach: w kolejce ponownie 1")
    notice.refresh_from_db()
    assert notice.state == State.SENDING


def test_with_nothing_to_do_it_says_so(db):
    assert run() == (
        "Po przerwanych workerach: w kolejce ponownie 0, nieznany wynik 0, zadania utracone 0. "
        "0 powiadomień niewysłanych.\n"
    )
