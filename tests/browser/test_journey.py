"""The whole way in and out, through the real stack in a browser: gunicorn, `db_worker` and a mail server on
PostgreSQL with production settings (tests/browser/stack.py), driven by Chromium.

A staff member logs in to the admin (password, then the code of an authenticator app) and enrols a customer's
e-mail address with the date of the written request; the customer then picks the region on the landing page,
asks for a password, reads it from the e-mail the worker sent, logs in, sets an own password, downloads the
newest invoice's PDF and the consumption CSV, accepts e-invoices and logs out; then logs in again with the
own password using the keyboard only. axe-core's WCAG 2.1 A/AA rules pass on every page on the way.

PostgreSQL only: on SQLite it is skipped (CI runs it in its PostgreSQL pass, where DATABASE_URL is set).
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.util import random_hex
from pypdf import PdfReader

from tests.browser.conftest import AXE_RULES, WCAG_21_AA, accessibility_problems, needs_chromium
from tests.browser.stack import postgres_url, running_stack

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        postgres_url() is None,
        reason="the journey runs the real stack (gunicorn, db_worker, SMTP) on PostgreSQL: set DATABASE_URL",
    ),
]

STAFF_USERNAME = "a.nowak"
STAFF_PASSWORD = "biuro obsługi klienta 2026"
OWN_PASSWORD = "sosna jeżyna latarnia siedem"
ADDRESS = "administracja@wm-podlesie.example"
CUSTOMER_CODE = "1002"  # demo_data's second customer of Jaworzno: no address enrolled yet

# A staff member who may change customers, with an authenticator app whose secret the test knows; and, for the
# test to check the invoice list against, the number of the customer's newest invoice.
SETUP_SCRIPT = """
from django.contrib.auth.models import Permission
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import User
from customers.models import Customer
user = User.objects.create_user({username!r}, password={password!r}, is_staff=True)
user.user_permissions.set(Permission.objects.filter(codename__in=["view_customer", "change_customer"]))
TOTPDevice.objects.create(user=user, name="telefon", key={key!r}, confirmed=True)
customer = Customer.objects.get(region__slug="jaworzno", number={number!r}, sub_code="0000")
print(customer.invoices.newest_first().first().number)
"""

# The element that has the keyboard focus: what it is, whether the focus is drawn on it, and whether it is on
# the screen.
FOCUSED = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const label = (el.labels && el.labels[0] ? el.labels[0].innerText : el.innerText || el.value || '').trim();
  return {
    element: `${el.tagName.toLowerCase()} ${label.replace(/\\s+/g, ' ').slice(0, 40)}`,
    drawn: el.matches(':focus-visible') &&
           ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none'),
    on_screen: box.width > 0 && box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight,
  };
}
"""


@pytest.fixture
def stack(tmp_path):
    with running_stack(tmp_path, postgres_url()) as stack:
        yield stack
        print(stack.log_tails())  # shown when the test fails


@dataclass
class Setup:
    totp: TOTP
    newest_invoice: str


@pytest.fixture
def setup(stack):
    key = random_hex(20)
    number = f"00{CUSTOMER_CODE}"
    script = SETUP_SCRIPT.format(username=STAFF_USERNAME, password=STAFF_PASSWORD, key=key, number=number)
    newest_invoice = stack.manage("shell", "-v0", "-c", script).strip()
    return Setup(totp=TOTP(bytes.fromhex(key)), newest_invoice=newest_invoice)


@pytest.fixture
def new_tab(browser):
    """new_tab(): a browser window of its own (its own cookies) at a laptop's size. Console errors, page errors
    and failed requests (a missing static file, a server error) land in tab.problems."""
    contexts = []

    def new_tab():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="pl-PL", accept_downloads=True)
        context.set_default_timeout(30_000)  # a loaded CI machine renders a PDF slowly
        contexts.append(context)
        tab = context.new_page()
        tab.problems = []
        tab.on("console", lambda message: message.type == "error" and tab.problems.append(
            f"{tab.url}: {message.text}"))  # fmt: skip
        tab.on("pageerror", lambda error: tab.problems.append(f"{tab.url}: {error}"))
        tab.on("response", lambda response: response.status >= 400 and tab.problems.append(
            f"{response.status} {response.url}"))  # fmt: skip
        return tab

    yield new_tab
    for context in contexts:
        context.close()


class Journey:
    """One browser window's way through the site: every page it reaches is checked by axe."""

    def __init__(self, tab, base_url):
        self.tab, self.base_url, self.problems = tab, base_url, {}

    def check(self, rules=AXE_RULES):
        """axe on the page as it is now. Some of axe's probes add a <style> of its own, which the site's Content
        Security Policy refuses: what the console says about that while axe runs is axe's, not the page's."""
        path = self.tab.url.removeprefix(self.base_url)
        before = len(self.tab.problems)
        self.problems[path] = accessibility_problems(self.tab, rules)
        self.tab.problems[before:] = [p for p in self.tab.problems[before:] if "Content Security Policy" not in p]

    def follow(self, locator, path):
        """Clicks a link or a button and waits for the page at `path` it leads to."""
        with self.tab.expect_navigation(url=re.compile(re.escape(self.base_url + path))):
            locator.click()

    def go(self, locator, path, rules=AXE_RULES):
        """follow(), then axe on the page reached."""
        self.follow(locator, path)
        self.check(rules)

    def download(self, locator):
        with self.tab.expect_download() as download:
            locator.click()
        return download.value

    def heading(self):
        return self.tab.get_by_role("heading", level=1).inner_text()

    def notice(self):
        return self.tab.get_by_role("status").all_inner_texts()

    def found(self):
        return {path: problems for path, problems in self.problems.items() if problems}


def staff_enrols_the_address(journey, totp, requested_on):
    """Password, then the code of the authenticator app; the customer by its code; the address and the date."""
    tab = journey.tab
    tab.goto(journey.base_url + "/admin/")
    journey.check(WCAG_21_AA)
    tab.locator("#id_username").fill(STAFF_USERNAME)
    tab.locator("#id_password").fill(STAFF_PASSWORD)
    journey.go(tab.locator("#login-form [type=submit]"), "/admin/logowanie/kod/", WCAG_21_AA)
    tab.get_by_label("Kod").fill(f"{totp.token():06d}")
    journey.follow(tab.locator("#login-form [type=submit]"), "/admin/")
    journey.follow(tab.get_by_role("rowheader", name="Odbiorcy").get_by_role("link"), "/admin/customers/customer/")
    tab.locator("#searchbar").fill(CUSTOMER_CODE)
    with tab.expect_navigation():
        tab.locator("#searchbar").press("Enter")
    row = tab.get_by_role("row").filter(has_text="Jaworzno").filter(has_text=f"00{CUSTOMER_CODE}-0000")
    journey.go(row.get_by_role("link"), "/admin/customers/customer/", WCAG_21_AA)
    tab.locator("#id_email").fill(ADDRESS)
    tab.locator("#id_email_requested_on").fill(f"{requested_on:%d.%m.%Y}")
    journey.follow(tab.get_by_role("button", name="Zapisz", exact=True), "/admin/customers/customer/")
    assert tab.locator(".messagelist .success").count() == 1, tab.locator(".messagelist").all_inner_texts()
    assert ADDRESS in tab.get_by_role("row").filter(has_text=f"00{CUSTOMER_CODE}-0000").filter(
        has_text="Jaworzno").inner_text()  # fmt: skip


def customer_gets_a_password_and_sets_an_own(journey, mailbox):
    tab = journey.tab
    tab.goto(journey.base_url + "/")
    journey.check()
    journey.go(tab.get_by_role("link", name="Jaworzno - WEJŚCIE"), "/jaworzno/logowanie/")
    assert journey.heading() == "Logowanie do systemu"
    journey.go(tab.get_by_role("link", name="Pobierz hasło do systemu"), "/jaworzno/pobierz-haslo/")
    tab.get_by_label("Odbiorca:", exact=True).fill(CUSTOMER_CODE)
    journey.go(tab.get_by_role("button", name="Wyślij hasło"), "/jaworzno/pobierz-haslo/wyslano/")
    message = mailbox.wait_for(ADDRESS, "hasło jednorazowe")
    password = re.search(r"Hasło jednorazowe: (\S+)", message.get_body(("plain",)).get_content())[1]
    journey.go(tab.get_by_role("link", name="Przejdź do logowania"), "/jaworzno/logowanie/")
    tab.get_by_label("Odbiorca:", exact=True).fill(CUSTOMER_CODE)
    tab.get_by_label("Hasło:", exact=True).fill(password)
    journey.go(tab.get_by_role("button", name="Zaloguj"), "/konto/ustaw-haslo/")
    tab.locator("#id_new_password1").fill(OWN_PASSWORD)
    tab.locator("#id_new_password2").fill(OWN_PASSWORD)
    journey.go(tab.get_by_role("button", name="Ustaw hasło"), "/pulpit/")
    assert "Hasło zostało ustawione. Od teraz logujesz się nim." in journey.notice()
    mailbox.wait_for(ADDRESS, "hasło zostało zmienione")


def customer_downloads_the_newest_invoice_and_consumption(journey, newest_invoice):
    tab = journey.tab
    menu = tab.get_by_role("navigation", name="Menu klienta")
    journey.go(menu.get_by_role("link", name="Faktury"), "/faktury/")
    first = tab.locator("table.invoice-list tbody th a").first
    assert first.inner_text() == newest_invoice
    journey.go(first, "/faktury/")
    assert newest_invoice in journey.heading().replace("\u200b", "")
    pdf = journey.download(tab.get_by_role("link", name="Pobierz PDF"))
    text = "".join(page.extract_text() for page in PdfReader(pdf.path()).pages)
    assert newest_invoice in text
    journey.go(menu.get_by_role("link", name="Zużycie ciepła"), "/zuzycie-ciepla/")
    csv_file = journey.download(tab.get_by_role("link", name=re.compile(r"^CSV za \d{4}$")))
    rows = list(csv.reader(io.StringIO(Path(csv_file.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Punkt poboru", "Adres"]
    points = {row[0] for row in rows[1:]}
    assert points, "no readings in the CSV"
    assert all(tab.locator("#id_punkt option", has_text=point).count() for point in points)


def customer_accepts_einvoices_and_logs_out(journey, mailbox):
    tab = journey.tab
    journey.go(tab.get_by_role("navigation", name="Menu klienta").get_by_role("link", name="Konto"), "/konto/")
    tab.get_by_label("Akceptuję powyższą treść zgody na e-fakturę.").check()
    journey.go(tab.get_by_role("button", name="Włącz e-fakturę"), "/konto/")
    assert tab.locator("#einvoice-state dd").first.inner_text() == "włączona"
    mailbox.wait_for(ADDRESS, "zgoda na e-fakturę włączona")
    journey.go(tab.get_by_role("button", name="Wyloguj"), "/jaworzno/logowanie/")


def press(tab, key, stops):
    """Presses a key and records where the focus went."""
    tab.keyboard.press(key)
    stops.append(tab.evaluate(FOCUSED))
    return stops[-1]["element"]


def tab_to(tab, name, stops):
    """Presses Tab until the focus is on the element `name` starts."""
    for _ in range(20):
        if press(tab, "Tab", stops).startswith(name):
            return
    raise AssertionError(f"Tab never reached {name}: {[stop['element'] for stop in stops]}")


def customer_logs_in_by_keyboard(journey):
    """From the landing page to Pulpit with Tab, typing and Enter only; every focus stop on the way is returned."""
    tab = journey.tab
    tab.goto(journey.base_url + "/")
    stops = []
    assert press(tab, "Tab", stops) == "a Przejdź do treści"  # the first stop skips the header
    tab_to(tab, "a Jaworzno - WEJŚCIE", stops)
    with tab.expect_navigation(url=journey.base_url + "/jaworzno/logowanie/"):
        tab.keyboard.press("Enter")
    assert press(tab, "Tab", stops) == "a Przejdź do treści"
    tab_to(tab, "input Odbiorca", stops)
    tab.keyboard.type(CUSTOMER_CODE)
    assert press(tab, "Tab", stops).startswith("input Pododbiorca")  # optional: left empty
    assert press(tab, "Tab", stops).startswith("input Hasło")
    tab.keyboard.type(OWN_PASSWORD)
    assert press(tab, "Tab", stops) == "button Zaloguj"
    with tab.expect_navigation(url=journey.base_url + "/pulpit/"):
        tab.keyboard.press("Enter")
    assert journey.heading() == "Pulpit"
    return stops


def test_a_customer_gets_in_with_an_emailed_password_and_back_by_keyboard_on_the_real_stack(stack, setup, new_tab):
    staff = Journey(new_tab(), stack.url)
    staff_enrols_the_address(staff, setup.totp, requested_on=datetime.date.today() - datetime.timedelta(days=2))

    customer = Journey(new_tab(), stack.url)
    customer_gets_a_password_and_sets_an_own(customer, stack.mailbox)
    customer_downloads_the_newest_invoice_and_consumption(customer, setup.newest_invoice)
    customer_accepts_einvoices_and_logs_out(customer, stack.mailbox)

    keyboard = Journey(new_tab(), stack.url)
    stops = customer_logs_in_by_keyboard(keyboard)
    print("\n".join(f"{stop}" for stop in stops))
    assert [stop["element"] for stop in stops if not stop["drawn"] or not stop["on_screen"]] == []

    subjects = sorted(message["Subject"] for message in stack.mailbox.messages if message["To"] == ADDRESS)
    assert subjects == ["eBOK: hasło jednorazowe do logowania", "eBOK: hasło zostało zmienione",
                        "eBOK: zgoda na e-fakturę włączona"]  # fmt: skip
    problems = {**staff.found(), **customer.found()}
    print("\n".join(f"{path}: {found}" for path, found in problems.items()))
    assert problems == {}
    assert staff.tab.problems == customer.tab.problems == keyboard.tab.problems == []
