"""The portal in a real browser (Chromium) at a 320 px phone width: the way in and every page.

Needs Debian's `chromium` (`.ci/run` installs it); elsewhere these tests are skipped, except in CI.
"""

import datetime
import os
import shutil
from decimal import Decimal

import pytest

from accounts.models import User
from consumption.models import ConsumptionReading
from customers.models import Customer, MeteringPoint, Region
from invoices.models import Invoice, InvoiceLine, Payment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "kotwica mrówka tramwaj"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the database calls the tests
    # make between browser steps are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="pl-PL")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def customer(committed_regions, live_server):
    region = Region.objects.get(slug="jaworzno")
    customer = Customer.objects.create(
        region=region,
        number="001234",
        name="Spółdzielnia Mieszkaniowa „Zgoda” im. Bolesława Chrobrego w Jaworznie",
        street="ul. Grunwaldzka 12",
        postal_code="43-600",
        city="Jaworzno",
        email="zarzad@sm-zgoda.example",
        email_requested_on=datetime.date(2026, 10, 1),
    )
    user = User.objects.for_customer(customer)
    user.set_password(PASSWORD)
    user.save()
    point = MeteringPoint.objects.create(
        region=region, identifier="W-0123", customer=customer, address="ul. Grunwaldzka 12", ordered_power_mw="0.25"
    )
    today = datetime.date.today()
    for months_back in range(1, 25):
        start = (today.replace(day=1) - datetime.timedelta(days=31 * months_back)).replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        ConsumptionReading.objects.create(
            point=point, period_from=start, period_to=end, consumption_gj=Decimal(50 + months_back), kind="R"
        )
        invoice = Invoice.objects.create(
            region=region,
            number=f"FV/{end:%Y/%m}/0001",
            customer=customer,
            issue_date=end + datetime.timedelta(days=4),
            period_from=start,
            period_to=end,
            due_date=end + datetime.timedelta(days=18),
            net=Decimal("12345.67"),
            vat=Decimal("2839.50"),
            gross=Decimal("15185.17"),
            payment_account="61109010140000071219812874",
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            position=1,
            name="Opłata za ciepło — węzeł W-0123, ul. Grunwaldzka 12",
            unit="GJ",
            quantity=Decimal("192.250"),
            unit_net_price=Decimal("64.22"),
            net_value=Decimal("12345.67"),
            vat_rate="23",
        )
        if months_back > 2:
            Payment.objects.create(
                region=region,
                billing_id=f"P{months_back}",
                customer=customer,
                date=end + datetime.timedelta(days=10),
                amount=Decimal("15185.17"),
                invoice=invoice,
            )
    return customer


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


def test_a_customer_logs_in_on_a_phone_and_every_page_fits(phone, live_server, customer):
    phone.goto(live_server.url + "/")
    assert fits_the_screen(phone)
    phone.get_by_role("link", name="Jaworzno - WEJŚCIE").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Logowanie do systemu"
    assert fits_the_screen(phone)
    phone.get_by_label("Odbiorca:", exact=True).fill(" 1234 ")
    phone.get_by_label("Hasło:", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Zaloguj").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Pulpit"
    for name in ("Faktury", "Rozliczenia", "Zużycie ciepła", "Konto", "Pulpit"):
        phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name=name).click()
        assert phone.locator("h1").count() == 1, name
        assert fits_the_screen(phone), f"{name} is wider than a 320 px phone"
    phone.get_by_role("navigation", name="Menu klienta").get_by_role("link", name="Faktury").click()
    phone.locator("main table a").first.click()
    assert "FV/" in phone.get_by_role("heading", level=1).inner_text()
    assert fits_the_screen(phone), "the invoice page is wider than a 320 px phone"
    phone.get_by_role("button", name="Wyloguj").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "Logowanie do systemu"
    assert phone.problems == []


def test_a_wrong_password_is_announced_on_the_page(phone, live_server, customer):
    phone.goto(live_server.url + "/jaworzno/logowanie/")
    phone.get_by_label("Odbiorca:", exact=True).fill("1234")
    phone.get_by_label("Hasło:", exact=True).fill("nie to hasło")
    phone.get_by_role("button", name="Zaloguj").click()
    assert phone.get_by_role("alert").inner_text().strip() == "Nieprawidłowy kod odbiorcy lub hasło."
    assert phone.problems == []


@pytest.mark.parametrize(
    "path", ["/ochrona-danych-osobowych/", "/regulamin/", "/deklaracja-dostepnosci/", "/kontakt/"]
)
def test_public_documents_fit_a_phone(phone, live_server, committed_regions, path):
    phone.goto(live_server.url + path)
    assert fits_the_screen(phone)
    assert phone.problems == []


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def accessibility_problems(page):
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=WCAG).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in violations]


def test_every_page_meets_wcag_2_1_aa_by_axe(phone, live_server, customer):
    """axe-core's automatic WCAG 2.1 A/AA rules (contrast, names, labels, landmarks…) on every page."""
    pages = ["/", "/jaworzno/logowanie/", "/jaworzno/pobierz-haslo/", "/ochrona-danych-osobowych/", "/regulamin/",
             "/deklaracja-dostepnosci/", "/kontakt/"]  # fmt: skip
    problems = {}
    for path in pages:
        phone.goto(live_server.url + path)
        problems[path] = accessibility_problems(phone)
    phone.goto(live_server.url + "/jaworzno/logowanie/")
    phone.get_by_label("Odbiorca:", exact=True).fill("1234")
    phone.get_by_label("Hasło:", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Zaloguj").click()
    phone.wait_for_url("**/pulpit/")
    invoice = customer.invoices.first()
    for path in ["/pulpit/", "/faktury/", f"/faktury/{invoice.public_id}/", "/rozliczenia/", "/zuzycie-ciepla/",
                 "/konto/"]:  # fmt: skip
        phone.goto(live_server.url + path)
        assert phone.url == live_server.url + path  # the page itself, not a redirect to the way in
        problems[path] = accessibility_problems(phone)
    found = {path: found for path, found in problems.items() if found}
    print("\n".join(f"{path}: {items}" for path, items in found.items()))
    assert found == {}
