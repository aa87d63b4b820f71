"""The public page as an Atom feed (parsed by feedparser) and the planned shutdowns as iCalendar (icalendar)."""

import datetime

import feedparser
import icalendar
import pytest
from django.utils import timezone

from outages.services import outage_publish
from tests.outages.conftest import make_outage


@pytest.fixture
def outages(owner, point):
    now = timezone.now()
    failure = make_outage(owner.region, [point])
    planned = make_outage(owner.region, [point], kind="planned", title="Przegląd letni sieci — Osiedle Stałe",
                          heat=False, starts_at=now + datetime.timedelta(days=21),
                          expected_end=now + datetime.timedelta(days=23))  # fmt: skip
    unknown_end = make_outage(owner.region, [point], kind="planned", title="Przyłączenie budynku",
                              starts_at=now + datetime.timedelta(days=30), expected_end=None)  # fmt: skip
    draft = make_outage(owner.region, [point], kind="planned", title="Szkic",
                        starts_at=now + datetime.timedelta(days=40), expected_end=None)  # fmt: skip
    for outage in (failure, planned, unknown_end):
        outage_publish(outage=outage)
    return failure, planned, unknown_end, draft


def test_the_atom_feed_is_valid_and_has_every_published_outage(client, outages):
    response = client.get("/awarie-i-wylaczenia/atom.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Awarie i wyłączenia — SCE Jaworzno III"
    titles = {entry.title for entry in feed.entries}
    assert titles == {
        "Awaria sieci przy ul. Grunwaldzkiej",
        "Przegląd letni sieci — Osiedle Stałe",
        "Przyłączenie budynku",
    }
    entry = next(e for e in feed.entries if e.title == "Przegląd letni sieci — Osiedle Stałe")
    assert entry.id == f"urn:uuid:{outages[1].public_id}"
    assert entry.link.endswith(f"/awarie-i-wylaczenia/#awaria-{outages[1].public_id}")
    assert "Jaworzno: ul. Grunwaldzka 12" in entry.summary
    assert "ciepła woda" in entry.summary
    assert "Zgoda" not in response.content.decode()


def test_an_ended_outage_says_so_in_the_feed(client, outages):
    failure = outages[0]
    failure.ended_at = timezone.now()
    failure.save()
    feed = feedparser.parse(client.get("/awarie-i-wylaczenia/atom.xml").content)
    assert "Zakończono — Awaria sieci przy ul. Grunwaldzkiej" in {entry.title for entry in feed.entries}


def test_the_calendar_is_valid_and_has_only_the_published_planned_shutdowns(client, outages):
    response = client.get("/awarie-i-wylaczenia/planowane.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Wyłączenie planowane: Przegląd letni sieci — Osiedle Stałe",
                           "Wyłączenie planowane: Przyłączenie budynku"}  # fmt: skip
    planned = events["Wyłączenie planowane: Przegląd letni sieci — Osiedle Stałe"]
    assert planned["uid"] == f"{outages[1].public_id}@127.0.0.1"  # EBOK_BASE_URL's host
    assert planned.decoded("dtstart") == outages[1].starts_at.replace(microsecond=0)
    assert planned.decoded("dtend") == outages[1].expected_end.replace(microsecond=0)
    assert str(planned["location"]) == "Jaworzno: ul. Grunwaldzka 12"
    assert calendar["version"] == "2.0"


def test_an_unknown_end_is_the_first_day_in_the_calendar_and_says_so(client, outages):
    calendar = icalendar.Calendar.from_ical(client.get("/awarie-i-wylaczenia/planowane.ics").content)
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["summary"]).endswith("Przyłączenie budynku")]
    start = outages[2].starts_at.replace(microsecond=0)
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(days=1)
    assert event.decoded("dtstart") == start
    assert "Przewidywany koniec: nieznany" in str(event["description"])
    assert "Koniec nieznany: w kalendarzu zaznaczono pierwszą dobę." in str(event["description"])


def test_the_calendar_uid_is_the_portal_host_whatever_host_was_asked(client, outages, settings):
    settings.EBOK_BASE_URL = "https://ebok.sce-jaworzno.example"
    settings.ALLOWED_HOSTS = ["*"]
    uids = set()
    for host in ("10.0.0.5", "proxy.internal"):
        calendar = icalendar.Calendar.from_ical(
            client.get("/awarie-i-wylaczenia/planowane.ics", HTTP_HOST=host).content
        )
        uids |= {str(event["uid"]) for event in calendar.walk("VEVENT")}
    assert uids == {f"{outage.public_id}@ebok.sce-jaworzno.example" for outage in outages[1:3]}
