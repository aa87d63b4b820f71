"""Every public page: Polish, one <h1>, labelled landmarks, the company footer; Polish error pages."""

import itertools
from html.parser import HTMLParser

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

PUBLIC_PAGES = [
    ("landing", {}),
    ("privacy", {}),
    ("terms", {}),
    ("accessibility", {}),
    ("contact", {}),
    ("documents", {}),
    ("login", {"region": "jaworzno"}),
    ("login", {"region": "bedzin-czeladz-sosnowiec"}),
    ("password_request", {"region": "jaworzno"}),
]
LANDMARKS = {"header", "nav", "main", "footer", "aside", "section", "form"}


class Page(HTMLParser):
    """The parts of a document these tests look at."""

    def __init__(self, html):
        super().__init__()
        self.tags = []  # (tag, attrs)
        self.links = []  # (href, text)
        self.headings = []  # (level, text)
        self._link = self._heading = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "a":
            self._link = [attrs.get("href"), ""]
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = [int(tag[1]), ""]

    def handle_data(self, data):
        for part in (self._link, self._heading):
            if part is not None:
                part[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        if tag.startswith("h") and tag[1:].isdigit() and self._heading:
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]

    def ids(self):
        return {attrs["id"] for _, attrs in self.tags if "id" in attrs}


def fetch(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    return response, Page(response.content.decode())


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_every_public_page_is_polish_with_one_h1_and_labelled_landmarks(client, db, name, kwargs):
    response, page = fetch(client, name, kwargs)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert page.all("html")[0].get("lang") == "pl"
    assert len(page.all("h1")) == 1
    levels = [level for level, _ in page.headings]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), f"headings skip a level: {levels}"
    assert len(page.all("main")) == 1
    for landmark in ("header", "footer", "nav"):
        found = page.all(landmark)
        assert found, landmark
        assert all(attrs.get("aria-label") or attrs.get("aria-labelledby") for attrs in found), landmark
    for section in page.all("section"):
        assert section.get("aria-labelledby") in page.ids() or section.get("aria-label")
    assert "#tresc" in [href for href, _ in page.links]  # skip link to the main content
    assert page.all("meta")
    assert any(m.get("name") == "viewport" for m in page.all("meta"))


@pytest.mark.parametrize(("name", "kwargs"), PUBLIC_PAGES)
def test_every_page_has_the_company_footer(client, db, name, kwargs, settings):
    response, page = fetch(client, name, kwargs)
    footer = response.content.decode().split("<footer", 1)[1]
    company = settings.EBOK_COMPANY
    for fact in (company["name"], company["nip"], company["street"], company["postal_code"], company["phone"]):
        assert fact in footer
    links = {text: href for href, text in page.links}
    assert links["Ochrona Danych Osobowych"] == reverse("privacy")
    assert links["Regulamin eBOK"] == reverse("terms")
    assert links["Deklaracja dostępności"] == reverse("accessibility")
    assert links["Kontakt"] == reverse("contact")
    assert links["Dokumenty do pobrania"] == reverse("documents")


def test_the_landing_page_leads_to_both_regions(client, db):
    _, page = fetch(client, "landing", {})
    assert page.headings[0] == (1, "eBOK")
    links = {text: href for href, text in page.links}
    assert links["Będzin, Czeladź, Sosnowiec - WEJŚCIE"] == "/bedzin-czeladz-sosnowiec/logowanie/"
    assert links["Jaworzno - WEJŚCIE"] == "/jaworzno/logowanie/"


def test_the_login_page_shows_the_company_header(client, jaworzno):
    response, page = fetch(client, "login", {"region": "jaworzno"})
    assert page.headings[0] == (1, "Logowanie do systemu")
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    for fact in (jaworzno.seller_name, "632-000-00-68", jaworzno.seller_street, jaworzno.seller_phone):
        assert fact in main
    assert "Ochrona Danych Osobowych" in main
    assert ("/", "Powrót") in page.links


def test_an_unknown_region_is_a_404(client, db):
    assert client.get("/katowice/logowanie/").status_code == 404


def test_the_accessibility_statement_has_the_ids_of_the_official_template(client, db):
    _, page = fetch(client, "accessibility", {})
    required = {
        "a11y-wstep",
        "a11y-podmiot",
        "a11y-url",
        "a11y-data-publikacja",
        "a11y-data-aktualizacja",
        "a11y-status",
        "a11y-kontakt",
        "a11y-email",
        "a11y-telefon",
        "a11y-procedura",
        "a11y-architektura",
    }
    assert required <= page.ids()


def test_unknown_urls_get_a_polish_404_page(client, db):
    response = client.get("/nie-ma-takiej-strony/")
    assert response.status_code == 404
    page = Page(response.content.decode())
    assert page.headings[0] == (1, "Nie znaleziono strony")
    assert page.all("html")[0]["lang"] == "pl"


def test_server_errors_get_a_polish_500_page(db):
    # Django renders 500.html without a request context: the page must not depend on one.
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = Page(response.content.decode())
    assert page.headings[0] == (1, "Przepraszamy, wystąpił błąd")
    assert "Ochrona Danych Osobowych" in response.content.decode()


def test_an_unhandled_exception_shows_the_500_page(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("customers.views.render", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/")
    assert response.status_code == 500
    assert "Przepraszamy, wystąpił błąd" in response.content.decode()


def test_the_stylesheet_is_served_and_has_print_styles(client, db):
    _, page = fetch(client, "landing", {})
    href = next(link["href"] for link in page.all("link") if link.get("rel") == "stylesheet")
    css = b"".join(client.get(href).streaming_content).decode()
    assert "@media print" in css
    assert "@media (min-width" in css


def test_a_post_without_a_csrf_token_gets_a_polish_403_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("landing"))
    assert response.status_code == 403
    assert Page(response.content.decode()).headings[0] == (1, "Formularz wygasł")


@pytest.mark.parametrize("ip_requests", [1, 30])
def test_the_password_request_answers_are_accessible_pages_too(client, db, ip_requests):
    """The confirmation after a request and the 429 page when an IP asks too often."""
    for _ in range(ip_requests):
        url = reverse("password_request", kwargs={"region": "jaworzno"})
        response = client.post(url, {"odbiorca": "1234"}, follow=True)
    assert response.status_code == (200 if ip_requests == 1 else 429)
    page = Page(response.content.decode())
    assert page.all("html")[0]["lang"] == "pl"
    assert len(page.all("h1")) == 1
    assert len(page.all("main")) == 1


def test_pages_forbid_inline_script_and_foreign_content(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_the_stylesheet_has_no_unclosed_block():
    """A missing brace puts every later rule inside the block before it (it happened in a merge)."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "ebok.css").read_text()
    depth = 0
    for line_number, line in enumerate(css.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"ebok.css:{line_number}: a brace closes nothing"
        if line.startswith("/* --") or line.startswith("/* Zużycie") or line.startswith("/* Forms"):
            assert depth == 0, f"ebok.css:{line_number}: a section starts inside an unclosed block"
    assert depth == 0
