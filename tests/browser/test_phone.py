"""The portal in a real browser (Chromium) at a 320 px phone width: the way in and every page.

Needs Debian's `chromium` (`.ci/run` installs it); elsewhere these tests are skipped, except in CI.
"""

import pytest

from tests.browser.conftest import PASSWORD, PUBLIC_PAGES, accessibility_problems, log_in, needs_chromium

pytestmark = needs_chromium


WIDER_THAN_SCREEN = """
[...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-scroll table'))
  .map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
  .slice(0, 5)
"""


def fits_the_screen(page):
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if not fits:
        print("wider than the screen:", page.evaluate(WIDER_THAN_SCREEN))
    return fits


def follow(page, locator):
    """Clicks a link or a button and waits for the page it leads to, so that what follows reads the new page."""
    with page.expect_navigation():
        locator.click()


def test_a_customer_logs_in_on_a_phone_and_every_page_fits(phone, live_server, customer):
    phone.goto(live_server.url + "/")
    assert fits_the_screen(phone)
    follow(phone, phone.get_by_role("link", name="Jaworzno - WEJŚCIE"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Logowanie do systemu"
    assert fits_the_screen(phone)
    phone.get_by_label("Odbiorca:", exact=True).fill(" 1234 ")
    phone.get_by_label("Hasło:", exact=True).fill(PASSWORD)
    follow(phone, phone.get_by_role("button", name="Zaloguj"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Pulpit"
    for name in ("Faktury", "Rozliczenia", "Zużycie ciepła", "Konto", "Pulpit"):
        follow(phone, phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name=name))
        assert phone.locator("h1").count() == 1, name
        assert fits_the_screen(phone), f"{name} is wider than a 320 px phone"
    follow(phone, phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name="Faktury"))
    follow(phone, phone.locator("main table a").first)
    assert "FV/" in phone.get_by_role("heading", level=1).inner_text()
    assert fits_the_screen(phone), "the invoice page is wider than a 320 px phone"
    follow(phone, phone.get_by_role("button", name="Wyloguj"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Logowanie do systemu"
    assert phone.problems == []


def test_a_wrong_password_is_announced_on_the_page(phone, live_server, customer):
    phone.goto(live_server.url + "/jaworzno/logowanie/")
    phone.get_by_label("Odbiorca:", exact=True).fill("1234")
    phone.get_by_label("Hasło:", exact=True).fill("nie to hasło")
    follow(phone, phone.get_by_role("button", name="Zaloguj"))
    assert phone.get_by_role("alert").inner_text().strip() == "Nieprawidłowy kod odbiorcy lub hasło."
    assert phone.problems == []


@pytest.mark.parametrize(
    "path", ["/ochrona-danych-osobowych/", "/regulamin/", "/deklaracja-dostepnosci/", "/kontakt/", "/dokumenty/"]
)
def test_public_documents_fit_a_phone(phone, live_server, committed_regions, path):
    phone.goto(live_server.url + path)
    assert fits_the_screen(phone)
    assert phone.problems == []


def test_every_page_meets_wcag_2_1_aa_and_best_practices_by_axe(phone, live_server, customer):
    """axe-core's automatic WCAG 2.1 A/AA rules (contrast, names, labels, landmarks…) and its best-practice
    rules on every page."""
    problems = {}
    for path in PUBLIC_PAGES:
        phone.goto(live_server.url + path)
        problems[path] = accessibility_problems(phone)
    log_in(phone, live_server.url)
    invoice = customer.invoices.exclude(ksef_xml=None).get()
    correction = customer.invoices.get(kind="KOR")
    for path in ["/pulpit/", "/faktury/", f"/faktury/{invoice.public_id}/", f"/faktury/{correction.public_id}/",
                 "/rozliczenia/", "/zuzycie-ciepla/", "/zuzycie-ciepla/?punkt=W-0123", "/konto/"]:  # fmt: skip
        phone.goto(live_server.url + path)
        assert phone.url == live_server.url + path  # the page itself, not a redirect to the way in
        problems[path] = accessibility_problems(phone)
    found = {path: found for path, found in problems.items() if found}
    print("\n".join(f"{path}: {items}" for path, items in found.items()))
    assert found == {}
