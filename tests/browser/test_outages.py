"""Awarie i wyłączenia in a real browser at 320 px: the public page, the Pulpit notice, the consumption marks
and the Konto switch fit a phone, work without JavaScript and are clean by axe (WCAG 2.1 AA, best practices)."""

import datetime

import pytest
from django.utils import timezone

from outages.models import OutageUpdate
from outages.services import outage_publish
from tests.browser.conftest import log_in, needs_chromium
from tests.browser.test_phone import accessibility_problems, fits_the_screen, follow
from tests.outages.conftest import make_outage

pytestmark = needs_chromium


@pytest.fixture
def outages(customer):
    now = timezone.now()
    points = list(customer.metering_points.order_by("identifier"))
    current = make_outage(
        customer.region,
        points,
        title="Awaria magistrali ciepłowniczej przy skrzyżowaniu ul. Grunwaldzkiej i Obrońców Poczty Gdańskiej",
        description="Pęknięcie rury pod jezdnią. Ekipa pogotowia pracuje na miejscu.\nProsimy o ostrożność.",
        starts_at=now - datetime.timedelta(days=40),
    )
    OutageUpdate.objects.create(
        outage=current, text="Wymieniono odcinek rury; trwa napełnianie i odpowietrzanie sieci."
    )
    planned = make_outage(
        customer.region,
        points[:1],
        kind="planned",
        title="Letni przegląd sieci",
        heat=False,
        starts_at=now + datetime.timedelta(days=21),
        expected_end=now + datetime.timedelta(days=24),
    )
    for outage in (current, planned):
        outage_publish(outage=outage)
    return current, planned


def test_the_public_page_fits_a_phone_and_is_accessible_without_javascript(open_tab, live_server, outages):
    page = open_tab(320, 640)
    page.goto(live_server.url + "/")
    follow(page, page.get_by_role("link", name="Awarie i wyłączenia").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Awarie i wyłączenia"
    assert page.get_by_role("link", name="993").is_visible()
    assert page.get_by_role("heading", name=outages[0].title).is_visible()
    assert page.get_by_role("heading", name="Letni przegląd sieci").is_visible()
    assert fits_the_screen(page)
    assert accessibility_problems(page) == []
    assert page.problems == []


def test_the_public_page_reads_the_same_with_javascript_off(browser, live_server, outages):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/awarie-i-wylaczenia/")
        assert "ul. Grunwaldzka 12, 12B" in page.locator("main").inner_text()
    finally:
        context.close()


def test_the_customer_sees_it_on_a_phone_and_switches_the_notices_off(phone, live_server, customer, outages):
    log_in(phone, live_server.url)
    notice = phone.get_by_role("region", name="Awarie i wyłączenia w Twoich punktach")
    assert "Trwa: Awaria magistrali" in notice.inner_text()
    assert "Planowane: Letni przegląd sieci" in notice.inner_text()
    assert fits_the_screen(phone)
    assert accessibility_problems(phone) == []
    phone.goto(live_server.url + "/zuzycie-ciepla/?punkt=W-0123")
    assert phone.locator(".kind--outage").count() >= 1
    assert fits_the_screen(phone)
    assert accessibility_problems(phone) == []
    phone.goto(live_server.url + "/konto/")
    follow(phone, phone.get_by_role("button", name="Wyłącz powiadomienia o awariach"))
    assert "Powiadomienia o awariach i wyłączeniach zostały wyłączone." in phone.locator("main").inner_text()
    assert phone.get_by_role("button", name="Włącz powiadomienia o awariach").is_visible()
    assert fits_the_screen(phone)
    assert accessibility_problems(phone) == []
    assert phone.problems == []
