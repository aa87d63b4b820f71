"""Free-text addresses that hold a name, a node or a flat: the public page, the Atom feed and the calendar show
only street, name and building number, hold back an address that is not so, and the admin tells staff."""

import datetime

import feedparser
import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from outages.services import outage_publish
from outages.streets import areas, held_back, public_address
from tests.outages.conftest import make_outage, make_point

HOSTILE = ["Jan Kowalski, ul. Leśna 5, Jaworzno", "ul. Polna 7 - węzeł W-0999", "ul. Ogrodowa 5/3",
           "ul. Wiejska 9 m. 4, Jaworzno", "Grunwaldzka 3 (klatka Nowaków)"]  # fmt: skip
PRIVATE = ["Jan Kowalski", "Kowalski", "W-0999", "węzeł", "5/3", "m. 4", "Nowaków", "Leśna"]


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("ul. Polna 7 - węzeł W-0999", ("ul. Polna", "7")),
        ("ul. Ogrodowa 5/3", ("ul. Ogrodowa", "5")),
        ("ul. 3 Maja 5/7 lok. 2, Sosnowiec", ("ul. 3 Maja", "5")),
        ("ul. Kowalskiego 9 m. 4", ("ul. Kowalskiego", "9")),
        ("ul.Grunwaldzka 12 b, Jaworzno", ("ul. Grunwaldzka", "12B")),
        ("ul. Leśna 5 Jan Kowalski", ("ul. Leśna", "5")),
        ("Jan Kowalski, ul. Leśna 5, Jaworzno", None),
        ("ul. Polna W-0999 7", None),
        ("Grunwaldzka 3", None),
        ("ul. 3 Maja, Sosnowiec", None),
        ("", None),
    ],
)
def test_only_kind_name_and_building_number_are_public(address, shown):
    parsed = public_address(address, ["Jaworzno"])
    assert (parsed and (parsed[0].name, parsed[1])) == shown


def test_areas_leave_out_what_does_not_parse_and_held_back_lists_it():
    addresses = ["ul. Grunwaldzka 12, Jaworzno", *HOSTILE]
    assert areas(addresses, ["Jaworzno"]) == [
        {"town": "Jaworzno", "street": "ul. Grunwaldzka", "numbers": ["12"]},
        {"town": "Jaworzno", "street": "ul. Ogrodowa", "numbers": ["5"]},
        {"town": "Jaworzno", "street": "ul. Polna", "numbers": ["7"]},
        {"town": "Jaworzno", "street": "ul. Wiejska", "numbers": ["9"]},
    ]
    assert held_back(addresses, ["Jaworzno"]) == [
        "Grunwaldzka 3 (klatka Nowaków)",
        "Jan Kowalski, ul. Leśna 5, Jaworzno",
    ]


@pytest.fixture
def hostile(owner, point):
    points = [point] + [make_point(owner, f"W-09{n:02d}", address) for n, address in enumerate(HOSTILE)]
    start = timezone.now() + datetime.timedelta(days=3)
    outage = make_outage(owner.region, points, kind="planned", title="Wymiana przyłącza",
                         starts_at=start, expected_end=start + datetime.timedelta(hours=8))  # fmt: skip
    outage_publish(outage=outage)
    return outage


def assert_nothing_private(text):
    for private in PRIVATE:
        assert private not in text, private


def test_the_public_page_shows_no_name_node_or_flat(client, hostile):
    html = client.get("/awarie-i-wylaczenia/").content.decode()
    assert "ul. Polna 7" in html
    assert "ul. Ogrodowa 5<" in html
    assert_nothing_private(html)


def test_the_atom_feed_shows_no_name_node_or_flat(client, hostile):
    feed = feedparser.parse(client.get("/awarie-i-wylaczenia/atom.xml").content)
    (entry,) = feed.entries
    assert "ul. Polna 7" in entry.summary
    assert_nothing_private(entry.summary)


def test_the_calendar_shows_no_name_node_or_flat(client, hostile):
    calendar = icalendar.Calendar.from_ical(client.get("/awarie-i-wylaczenia/planowane.ics").content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["location"]) == ("Jaworzno: ul. Grunwaldzka 12; ul. Ogrodowa 5; ul. Polna 7; ul. Wiejska 9")
    assert_nothing_private(str(event["location"]) + str(event["description"]))


def test_the_admin_tells_staff_which_addresses_are_held_back(staff_client, hostile):
    page = staff_client.get(reverse("admin:outages_outage_change", args=[hostile.pk])).content.decode()
    assert (
        "Adresy punktów poboru niepokazane na stronie publicznej, bo nie mają postaci „ul. Nazwa numer” (popraw je"
        " w systemie rozliczeniowym): 2 — „Grunwaldzka 3 (klatka Nowaków)”; „Jan Kowalski, ul. Leśna 5, Jaworzno”"
    ) in page
