"""The browser tests' shared parts: Debian's Chromium through Playwright, one browser tab per viewport, a
customer with long, realistic data, and the HTML of every page a tab loads, kept for the Nu HTML Checker
(test_html.py), which reads it all in one run at the end of the session.
"""

import datetime
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import User
from consumption.models import ConsumptionReading
from customers.models import Customer, MeteringPoint, Region
from invoices.models import Invoice, InvoiceLine, Payment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = "kotwica mrówka tramwaj"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="Chromium is not installed (apt-get install chromium)"
)
# The pages anyone can open, which the browser tests walk at every width.
PUBLIC_PAGES = ["/", "/jaworzno/logowanie/", "/jaworzno/pobierz-haslo/", "/ochrona-danych-osobowych/",
                "/regulamin/", "/deklaracja-dostepnosci/", "/kontakt/", "/dokumenty/",
                "/awarie-i-wylaczenia/"]  # fmt: skip
KSEF_NUMBER = "5265877635-20250826-0100001AF629-AF"
SAMPLE_24 = Path(__file__).parents[1] / "invoices" / "fixtures" / "FA_3_Przykład_24.xml"


def pytest_collection_modifyitems(items):
    """The HTML check reads what the other browser tests loaded: it runs after all of them."""
    last = [item for item in items if item.get_closest_marker("after_every_browser_test")]
    items[:] = [item for item in items if item not in last] + last


def pytest_configure(config):
    config.addinivalue_line("markers", "after_every_browser_test: runs once every other test has run")


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def visited_pages():
    """The HTML of every page the browser tests load, as the server sent it (not the browser's DOM), by address."""
    return {}


def _keep_html(route, pages):
    """Passes a page's response on to the browser, keeping its body first (once the browser has moved on
    to the next page, Playwright no longer has it). A form with files goes on untouched: Chromium does not
    hand an intercepted request's file contents over, so fetching it again would send the files empty."""
    multipart = route.request.headers.get("content-type", "").startswith("multipart/form-data")
    if route.request.resource_type != "document" or multipart:
        route.continue_()
        return
    response = route.fetch(max_redirects=0)
    is_redirect = 300 <= response.status < 400
    if not is_redirect and response.headers.get("content-type", "").startswith("text/html"):
        pages[route.request.url] = response.text()
    route.fulfill(response=response)


@pytest.fixture
def open_tab(browser, visited_pages):
    """open_tab(width, height): a fresh browser context (no cookies) with one page of that viewport. Console
    errors and page errors land in page.problems."""
    contexts = []

    def open_tab(width, height=800):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="pl-PL")
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.route("**/*", lambda route: _keep_html(route, visited_pages))
        return page

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def phone(open_tab):
    return open_tab(320, 640)


def log_in(page, base_url, password=PASSWORD):
    page.goto(base_url + "/jaworzno/logowanie/")
    page.get_by_label("Odbiorca:", exact=True).fill("1234")
    page.get_by_label("Hasło:", exact=True).fill(password)
    page.get_by_role("button", name="Zaloguj").click()
    page.wait_for_url("**/pulpit/")


# WCAG 2.1 A/AA, and axe's best practices besides (unique landmarks, heading order, one h1, content in landmarks…).
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WCAG_21_AA = {"runOnly": {"type": "tag", "values": WCAG_21_AA_TAGS}}
AXE_RULES = {"runOnly": {"type": "tag", "values": [*WCAG_21_AA_TAGS, "best-practice"]}}


def accessibility_problems(page, rules=AXE_RULES):
    """axe-core's findings on the page as loaded now: one line per rule broken, with an example element."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=rules).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in violations]


@pytest.fixture
def customer(committed_regions, live_server):
    """A customer with realistic long data: two years of monthly invoices with long numbers (the newest from
    KSeF with its QR code, one corrected), payments, and nine years of readings of two points, one estimated."""
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
    other_point = MeteringPoint.objects.create(
        region=region,
        identifier="W-0124/JAW/CO+CWU-BUDYNEK-B",
        customer=customer,
        address="ul. Grunwaldzka 12B, budynek B (węzeł cieplny w piwnicy, wejście od podwórza)",
        ordered_power_mw="1.2345",
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
            **({"ksef_number": KSEF_NUMBER, "ksef_xml": SAMPLE_24.read_bytes()} if months_back == 1 else {}),
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
        if months_back == 2:
            Invoice.objects.create(
                region=region,
                number=f"KOR/JAW/{end:%Y/%m}/000123/01",
                kind="KOR",
                corrects=invoice,
                customer=customer,
                issue_date=end + datetime.timedelta(days=9),
                due_date=end + datetime.timedelta(days=23),
                net=Decimal("-1234567.89"),
                vat=Decimal("-283950.61"),
                gross=Decimal("-1518518.50"),
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
    for year in range(today.year - 8, today.year + 1):
        for month in (1, 6, 12):
            start = datetime.date(year, month, 1)
            if start >= today.replace(day=1):
                break
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            ConsumptionReading.objects.create(
                point=other_point,
                period_from=start,
                period_to=end,
                consumption_gj=Decimal("12345.678"),
                meter_reading_gj=Decimal(1234567 + year * 100 + month),
                kind="S" if month == 6 else "R",
            )
    return customer
