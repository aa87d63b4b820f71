"""The staff's daily digest of cases (`manage.py cases_digest`, once a day: deploy/systemd/ebok-cases-digest.timer).

Each staff member who handles cases (cases.models.case_handlers: the "Obsługa klienta" group, anyone given
cases.change_case, superusers; active, with an e-mail address, one e-mail per address) gets one e-mail: the cases
filed since the previous digest (the first time: the last 24 hours) and every case past its due date that still
waits for its first answer (a case answered once is not overdue, however often the customer writes again). It
names numbers, kinds, regions and due dates with links to the admin; what customers wrote stays in the admin.
A DigestRun a day (unique on the local date) records the run in the same transaction as the queued e-mails, so a
second run that day, or one running at the same time, sends nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import emails
from cases.models import Case, DigestRun, case_handlers

FIRST_WINDOW = datetime.timedelta(hours=24)


@dataclass
class Digest:
    day: datetime.date
    since: datetime.datetime
    new: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    recipients: list = field(default_factory=list)
    earlier_run: DigestRun | None = None  # today's digest already ran: nothing was sent now

    @property
    def is_empty(self):
        return not (self.new or self.overdue)


def digest_collect(*, now=None):
    """What today's digest lists and whom it goes to, without writing anything."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    previous = DigestRun.objects.order_by("-at").first()
    if previous is not None and previous.day == day:
        return Digest(day=day, since=previous.at, earlier_run=previous)
    since = previous.at if previous is not None else now - FIRST_WINDOW
    cases = Case.objects.select_related("region").order_by("due_on", "number")
    recipients = {}
    for user in case_handlers().exclude(email=""):
        recipients.setdefault(user.email.casefold(), user)
    return Digest(
        day=day,
        since=since,
        new=list(cases.filter(filed_at__gte=since, filed_at__lt=now)),
        overdue=list(cases.overdue(day)),
        recipients=list(recipients.values()),
    )


def digest_send(*, now=None):
    """Record today's run and queue its e-mails (none when nothing is new or overdue), in one transaction.
    Returns the Digest; with `earlier_run` set when today's digest had already run (then nothing is sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        digest = digest_collect(now=now)
        if digest.earlier_run is not None:
            return digest
        try:
            with transaction.atomic():
                DigestRun.objects.create(
                    day=digest.day,
                    at=now,
                    new_cases=len(digest.new),
                    overdue_cases=len(digest.overdue),
                    emails=0 if digest.is_empty else len(digest.recipients),
                )
        except IntegrityError:  # another run of today's digest got there first
            digest.earlier_run = DigestRun.objects.get(day=digest.day)
            return digest
        if not digest.is_empty:
            context = _context(digest)
            for user in digest.recipients:
                emails.cases_digest(to=user.email, context=context)
    return digest


def _context(digest):
    def row(case):
        return {
            "number": case.number,
            "kind": case.kind,
            "region": case.region.name,
            "due_on": case.due_on.isoformat(),
            "path": reverse("admin:cases_case_change", args=[case.pk]),
        }

    return {
        "day": digest.day.isoformat(),
        "since": digest.since.isoformat(),
        "new": [row(case) for case in digest.new],
        "overdue": [row(case) for case in digest.overdue],
    }
