"""Publishing an outage, the events customers are told of, and the customer's choice of notices."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from outages import notices
from outages.links import reporter_ids
from outages.models import NoticeChoice, Outage, OutageEvent, notices_enabled
from outages.streets import areas, region_towns

# A new expected end is mailed only when it moves by more than this from the one last announced: staff
# correcting a time by minutes, several times, must not flood the customers' mailboxes.
END_MOVE_THRESHOLD = datetime.timedelta(hours=1)

Kind = OutageEvent.Kind


class NoticeChoiceRefused(Exception):
    pass


class CancelRefused(Exception):
    pass


def outage_refresh_areas(*, outage):
    """The streets and building numbers the public page shows, from the outage's points as they are now."""
    outage.areas = areas(outage.points.values_list("address", flat=True), region_towns(outage.region))
    Outage.objects.filter(pk=outage.pk).update(areas=outage.areas)


def end_moved(announced, new):
    """Whether the expected end moved enough to tell the customers: by more than an hour, or to or from unknown."""
    if announced is None or new is None:
        return announced is not new
    return abs(new - announced) > END_MOVE_THRESHOLD


def outage_publish(*, outage, staff=None):
    """Publish `outage` (on the public page and the Pulpit from now on) and queue its e-mails; publishing it
    again only queues mail for customers who have none for its publication (points added since)."""
    with transaction.atomic():
        locked = Outage.objects.select_for_update().get(pk=outage.pk)
        if locked.published_at is None:
            locked.published_at = timezone.now()
            locked.save(update_fields=["published_at", "updated_at"])
        outage.published_at = locked.published_at
        return outage_notify(outage=locked, staff=staff)


def outage_notify(*, outage, staff=None):
    """After a change of a published outage: record the events its state calls for and queue their e-mails,
    in the caller's transaction. Returns the number of e-mails queued.

    Not ended: its publication (for customers without that mail yet) and, when the expected end moved by more
    than END_MOVE_THRESHOLD from the one last announced, a new "expected end moved" event. Ended: the "ended"
    event, once, also to the reporters of the cases linked to it (whatever their choice in Konto: they asked),
    and to reporters of cases linked after the end. An outage published after it ended is
    history only: its customers are not told of what they were never told began.
    """
    with transaction.atomic():
        outage = Outage.objects.select_for_update().get(pk=outage.pk)
        if outage.published_at is None or outage.cancelled_at is not None:
            return 0
        events = list(outage.events.all())
        published = next((event for event in events if event.kind == Kind.PUBLISHED), None)
        if outage.ended_at is not None:
            if published is None:
                return 0
            ended = next((event for event in events if event.kind == Kind.ENDED), None)
            if ended is not None:  # only reports linked since: their reporters are told it ended
                return len(notices.queue(ended, extra_customer_ids=reporter_ids(outage), affected=False))
            ended = outage.events.create(kind=Kind.ENDED, expected_end=outage.ended_at, staff=staff)
            return len(notices.queue(ended, extra_customer_ids=reporter_ids(outage)))
        if published is None:
            published = outage.events.create(kind=Kind.PUBLISHED, expected_end=outage.expected_end, staff=staff)
        queued = len(notices.queue(published))
        announced = [event for event in events if event.kind in (Kind.PUBLISHED, Kind.END_CHANGED)]
        if announced and end_moved(announced[-1].expected_end, outage.expected_end):
            moved = outage.events.create(kind=Kind.END_CHANGED, expected_end=outage.expected_end, staff=staff)
            queued += len(notices.queue(moved))
        return queued


def outage_cancel(*, outage, staff=None, now=None):
    """Cancel a planned shutdown that has not begun: it is marked cancelled on the public page, the feed and the
    calendar, leaves the Pulpit, and the customers told of it before get a "cancelled" e-mail (in the caller's
    transaction). Returns the number of e-mails queued; raises CancelRefused with the reason in Polish."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Outage.objects.select_for_update().get(pk=outage.pk)
        if locked.kind != Outage.Kind.PLANNED:
            raise CancelRefused(_("„%(title)s”: odwołać można tylko wyłączenie planowane.") % {"title": locked.title})
        if locked.cancelled_at is not None:
            raise CancelRefused(_("„%(title)s”: już odwołane.") % {"title": locked.title})
        if locked.ended_at is not None or locked.starts_at <= now:
            raise CancelRefused(
                _("„%(title)s”: wyłączenie już się zaczęło — wpisz jego faktyczny koniec.") % {"title": locked.title}
            )
        locked.cancelled_at = now
        locked.save(update_fields=["cancelled_at", "updated_at"])
        outage.cancelled_at = now
        if locked.published_at is None:
            return 0
        event = locked.events.create(kind=Kind.CANCELLED, at=now, expected_end=None, staff=staff)
        return len(notices.queue(event, notified_before=True))


@dataclass(frozen=True)
class Affected:
    points: int
    customers: int
    enrolled: int
    switched_off: int

    @property
    def mailed(self):
        return self.enrolled - self.switched_off


def affected(outage):
    """How many points and customers `outage` affects, and how many of them get its e-mails (the admin's form)."""
    point_count = outage.points.count()
    customers = Customer.objects.filter(metering_points__outages=outage).distinct()
    counts = customers.aggregate(
        customers=Count("pk", distinct=True),
        enrolled=Count("pk", distinct=True, filter=Q(active=True) & ~Q(email="")),
    )
    latest = NoticeChoice.objects.filter(customer=OuterRef("pk")).order_by("-recorded_at", "-pk").values("enabled")
    switched_off = (
        customers.filter(active=True).exclude(email="").annotate(choice=Subquery(latest[:1])).filter(choice=False)
    ).count()
    return Affected(point_count, counts["customers"], counts["enrolled"], switched_off)


def notice_choice_record(*, customer, enabled, user, ip=None):
    """Switch `customer`'s outage e-mails on or off (Konto): one more record, with the login and the IP address.
    Raises NoticeChoiceRefused when nothing would change."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if notices_enabled(customer) == enabled:
            raise NoticeChoiceRefused(
                _("Powiadomienia o awariach są już włączone.")
                if enabled
                else _("Powiadomienia o awariach są już wyłączone.")
            )
        return NoticeChoice.objects.create(customer=customer, enabled=enabled, user=user, ip=ip)
