"""Awarie i wyłączenia: current, upcoming and recently ended outages per region, by street, for anyone."""

import datetime

import pytest
from django.utils import timezone

from outages.models import OutageUpdate
from outages.services import outage_publish
from tests.conftest import page_text
from tests.outages.conftest import make_outage, make_point

URL = "/awarie-i-wylaczenia/"


@pytest.fixture
def published(owner, point, sibling_point):
    outage = make_outage(owner.region, [point, sibling_point])
    outage_publish(outage=outage)
    return outage


def test_it_shows_a_current_outage_by_street_with_the_emergency_number(client, published):
    text = page_text(client.get(URL).content.decode())
    assert "Pogotowie ciepłownicze (całą dobę): 993" in text
    assert "Awaria sieci przy ul. Grunwaldzkiej" in text
    assert "Jaworzno, ul. Grunwaldzka 12, 14" in text
    assert "ogrzewanie i ciepła woda" in text


def test_it_never_shows_a_customer_name_code_node_or_address_on_file(client, published, owner, sibling):
    html = client.get(URL).content.decode()
    for private in [owner.name, sibling.name, "001234", "1234-", "W-0123", "W-0200", owner.email, "Zgoda"]:
        assert private not in html


def test_a_draft_is_not_shown(client, owner, point):
    make_outage(owner.region, [point], title="Szkic: wymiana zaworu")
    assert "Szkic" not in client.get(URL).content.decode()


def test_current_upcoming_and_recently_ended_are_apart(client, owner, point):
    now, day = timezone.now(), datetime.timedelta(days=1)
    planned = make_outage(owner.region, [point], kind="planned", title="Przegląd letni sieci",
                          starts_at=now + 20 * day, expected_end=now + 22 * day)  # fmt: skip
    ended = make_outage(owner.region, [point], title="Wyciek przy ul. Mickiewicza",
                        starts_at=now - 2 * day, ended_at=now - day)  # fmt: skip
    old = make_outage(owner.region, [point], title="Dawna awaria", starts_at=now - 30 * day, ended_at=now - 29 * day)
    for outage in (planned, ended, old):
        outage_publish(outage=outage)
    text = page_text(client.get(URL).content.decode())
    jaworzno = text[text.index("Jaworzno Trwające") :]
    assert jaworzno.index("Planowane") < jaworzno.index("Przegląd letni sieci")
    assert jaworzno.index("Zakończone w ostatnich 7 dniach") < jaworzno.index("Wyciek przy ul. Mickiewicza")
    assert "Dawna awaria" not in text


def test_each_region_lists_its_own(client, published, stranger, stranger_point):
    outage = make_outage(stranger.region, [stranger_point], title="Awaria w Sosnowcu")
    outage_publish(outage=outage)
    text = page_text(client.get(URL).content.decode())
    bedzin, jaworzno = text.index("Będzin, Czeladź, Sosnowiec Trwające"), text.index("Jaworzno Trwające")
    assert bedzin < text.index("Awaria w Sosnowcu") < jaworzno < text.index("Awaria sieci przy ul. Grunwaldzkiej")


def test_an_unknown_end_says_so_and_updates_are_shown(client, published):
    published.expected_end = None
    published.save()
    OutageUpdate.objects.create(outage=published, text="Wymieniono odcinek rury, trwa napełnianie sieci.")
    text = page_text(client.get(URL).content.decode())
    assert "Przewidywany koniec nieznany" in text
    assert "Wymieniono odcinek rury, trwa napełnianie sieci." in text


def test_it_is_linked_from_the_landing_page_and_every_footer(client, db):
    for path in ["/", "/kontakt/", "/jaworzno/logowanie/"]:
        assert f'href="{URL}"' in client.get(path).content.decode()


def test_it_takes_a_fixed_number_of_queries(client, owner, point, django_assert_max_num_queries):
    for n in range(10):
        extra = make_point(owner, f"W-1{n:03d}", f"ul. Mickiewicza {n}, Jaworzno")
        outage = make_outage(owner.region, [point, extra], title=f"Awaria {n}")
        outage_publish(outage=outage)
        OutageUpdate.objects.create(outage=outage, text="Ekipa na miejscu.")
    with django_assert_max_num_queries(4):  # outages with regions, their updates, the regions; the session
        response = client.get(URL)
    assert page_text(response.content.decode()).count("Ekipa na miejscu.") == 10


def test_it_needs_no_javascript(client, published):
    assert "<script" not in client.get(URL).content.decode()
