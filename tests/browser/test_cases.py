"""Sprawy in a real browser at 320 px: a complaint filed from an invoice's page with a PDF attached, and
every page of Sprawy clean by axe (the Nu HTML Checker reads them too, test_html.py)."""

import pytest

from tests.browser.conftest import log_in, needs_chromium
from tests.browser.test_phone import accessibility_problems, fits_the_screen, follow
from tests.cases.conftest import pdf_bytes

pytestmark = needs_chromium


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """The attachments filed here go to the test's folder, never to the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_complaint_is_filed_from_an_invoice_with_a_pdf_on_a_phone(phone, live_server, customer, tmp_path):
    scan = tmp_path / "protokół odczytu.pdf"
    scan.write_bytes(pdf_bytes("Protokol odczytu licznika"))
    log_in(phone, live_server.url)
    follow(phone, phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name="Faktury"))
    follow(phone, phone.locator("main table a").first)
    invoice_number = phone.get_by_role("heading", level=1).inner_text()
    follow(phone, phone.get_by_role("link", name="Złóż reklamację"))
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Reklamacja faktury")
    assert fits_the_screen(phone)
    assert accessibility_problems(phone) == []
    phone.get_by_label("Kwota reklamowana [zł]:").fill("250,00")
    phone.get_by_label("Uzasadnienie reklamacji:").fill("Odczyt licznika jest wyższy niż na protokole.")
    phone.get_by_label("Załączniki:").set_input_files(scan)
    follow(phone, phone.get_by_role("button", name="Złóż sprawę"))
    heading = phone.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Sprawa JAW/")
    assert phone.get_by_role("status").first.inner_text().startswith(f"Przyjęto sprawę {heading.split()[-1]}.")
    assert phone.get_by_role("link", name="protokół odczytu.pdf").is_visible()
    assert invoice_number.split()[-1].replace("\u200b", "") in phone.locator("main").inner_text()
    assert fits_the_screen(phone)
    assert accessibility_problems(phone) == []
    assert phone.problems == []


def test_every_page_of_sprawy_fits_a_phone_and_is_clean_by_axe(phone, live_server, customer):
    log_in(phone, live_server.url)
    follow(phone, phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name="Sprawy"))
    problems = {}
    new = "/sprawy/nowa/"
    pages = ["/sprawy/", new, f"{new}awaria/", f"{new}reklamacja/", f"{new}wniosek/moc/",
             f"{new}wniosek/dane-kontaktowe/", f"{new}wniosek/inny/"]  # fmt: skip
    for path in pages:
        phone.goto(live_server.url + path)
        assert phone.url == live_server.url + path
        assert fits_the_screen(phone), f"{path} is wider than a 320 px phone"
        problems[path] = accessibility_problems(phone)
    # A form sent back with errors, then a request filed and its page with the message form.
    follow(phone, phone.get_by_role("button", name="Złóż sprawę"))
    assert phone.get_by_role("alert").inner_text().startswith("Formularz zawiera błędy.")
    problems["errors"] = accessibility_problems(phone)
    phone.get_by_label("Temat:").fill("Duplikat umowy kompleksowej nr 12/2019 dla budynku przy ul. Grunwaldzkiej")
    phone.get_by_label("Treść wniosku:").fill("Proszę o duplikat umowy.")
    follow(phone, phone.get_by_role("button", name="Złóż sprawę"))
    assert fits_the_screen(phone)
    problems["case"] = accessibility_problems(phone)
    follow(phone, phone.get_by_role("button", name="Zamknij sprawę"))
    problems["closed"] = accessibility_problems(phone)
    follow(phone, phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name="Sprawy"))
    problems["list"] = accessibility_problems(phone)
    found = {path: found for path, found in problems.items() if found}
    print("\n".join(f"{path}: {items}" for path, items in found.items()))
    assert found == {}
    assert phone.problems == []
