"""A planned shutdown that has not begun is cancelled in the admin: those told of it hear it is off, the public
page, the feed and the calendar say so, and the Pulpit no longer shows it."""

import datetime

import feedparser
import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from outages.models import Outage, OutageEvent, OutageNotice
from outages.services import CancelRefused, outage_cancel, outage_notify, outage_publish
from tests.conftest import log_in, page_text
from tests.outages.conftest import make_outage, make_point

CHANGELIST = reverse("admin:outages_outage_changelist")


@pytest.fixture
def planned(owner, point):
    start = timezone.now() + datetime.timedelta(days=10)
    outage = make_outage(owner.region, [point], kind="planned", title="Płukanie sieci", heat=False,
                         starts_at=start, expected_end=start + datetime.timedelta(hours=8))  # fmt: skip
    outage_publish(outage=outage)
    return outage


def test_those_told_of_it_get_a_cancellation_mail_and_no_one_else(planned, owner, sibling, run_worker):
    run_worker()
    mail.outbox.clear()
    Customer.objects.filter(pk=sibling.pk).update(
        email="budynek-b@sm-zgoda.example", email_requested_on=datetime.date(2026, 10, 1)
    )
    planned.points.add(make_point(sibling, "W-0200", "ul. Grunwaldzka 14, Jaworzno"))  # never told: not told now
    assert outage_cancel(outage=planned) == 1
    run_worker()
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Odwołano: Płukanie sieci"
    assert "planowana przerwa w dostawie (ciepła woda) do poniższych punktów poboru została odwołana" in message.body
    assert OutageNotice.objects.get(event__kind=OutageEvent.Kind.CANCELLED).state == OutageNotice.State.SENT


def test_a_cancelled_outage_records_no_further_events(planned):
    outage_cancel(outage=planned)
    planned.refresh_from_db()
    planned.expected_end += datetime.timedelta(days=1)
    planned.save()
    assert outage_notify(outage=planned) == 0
    assert sorted(planned.events.values_list("kind", flat=True)) == ["cancelled", "published"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"kind": "failure"}, "„Płukanie sieci”: odwołać można tylko wyłączenie planowane."),
        ({"starts_at_ago": True}, "„Płukanie sieci”: wyłączenie już się zaczęło — wpisz jego faktyczny koniec."),
    ],
)
def test_only_a_planned_shutdown_not_yet_begun_can_be_cancelled(planned, fields, reason):
    if fields.pop("starts_at_ago", False):
        fields["starts_at"] = timezone.now() - datetime.timedelta(hours=1)
    Outage.objects.filter(pk=planned.pk).update(**fields)
    with pytest.raises(CancelRefused, match=reason):
        outage_cancel(outage=planned)
    assert Outage.objects.get(pk=planned.pk).cancelled_at is None
    assert not OutageEvent.objects.filter(kind=OutageEvent.Kind.CANCELLED).exists()


def test_cancelling_twice_is_refused(planned):
    outage_cancel(outage=planned)
    with pytest.raises(CancelRefused, match="już odwołane"):
        outage_cancel(outage=planned)


def test_the_public_page_feed_and_calendar_say_it_is_cancelled(client, planned):
    outage_cancel(outage=planned)
    text = page_text(client.get("/awarie-i-wylaczenia/").content.decode())
    assert "Odwołane wyłączenia" in text
    assert "dostawa nie zostanie przerwana" in text
    assert "Brak zapowiedzianych wyłączeń." in text
    feed = feedparser.parse(client.get("/awarie-i-wylaczenia/atom.xml").content)
    assert [entry.title for entry in feed.entries] == ["Odwołano — Płukanie sieci"]
    calendar = icalendar.Calendar.from_ical(client.get("/awarie-i-wylaczenia/planowane.ics").content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


def test_the_pulpit_no_longer_shows_it(client, planned, owner):
    log_in(client, owner)
    assert "Płukanie sieci" in page_text(client.get("/pulpit/").content.decode())
    outage_cancel(outage=planned)
    assert "Płukanie sieci" not in page_text(client.get("/pulpit/").content.decode())


def test_staff_cancel_from_the_admin_list(staff_client, planned, staff_user):
    failure = make_outage(planned.region, title="Awaria zaworu")
    data = {"action": "cancel_selected", "_selected_action": [planned.pk, failure.pk]}
    response = staff_client.post(CHANGELIST, data, follow=True)
    texts = [str(message) for message in response.context["messages"]]
    assert "„Awaria zaworu”: odwołać można tylko wyłączenie planowane." in texts
    assert "Odwołano 1 wyłączenie, zakolejkowano e-maili: 1." in texts
    assert Outage.objects.get(pk=planned.pk).cancelled_at is not None
    assert OutageEvent.objects.get(kind=OutageEvent.Kind.CANCELLED).staff == staff_user


def test_cancelling_needs_a_post_with_csrf(planned, staff_user, client):
    from django.test import Client

    from tests.conftest import log_in_staff

    strict = log_in_staff(Client(enforce_csrf_checks=True), staff_user)
    response = strict.post(CHANGELIST, {"action": "cancel_selected", "_selected_action": [planned.pk]})
    assert response.status_code == 403
    assert Outage.objects.get(pk=planned.pk).cancelled_at is None
