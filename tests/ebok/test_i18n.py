"""Polish with its three plural forms, English beside it: the catalogues, the switch, e-mails and PDFs."""

import ast
import contextlib
import gettext
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from pypdf import PdfReader

from accounts import emails, limits
from accounts.models import User
from accounts.validators import MaximumLengthValidator
from customers.importer.errors import Problems
from invoices.models import Invoice
from invoices.templatetags.money import amount, vat_rate, zl
from tests.conftest import log_in
from tests.invoices.conftest import make_invoice
from tests.invoices.test_import_ksef_examples import as_issued_to

LOCALE = Path(settings.BASE_DIR) / "locale"
COUNTS = (1, 2, 5, 12, 22, 25)
BINDING_NOTE = "The Polish version is legally binding"


def read_po(language):
    """The entries of a catalogue as dicts: msgid, msgid_plural, msgstr (index -> text), flags."""
    entries, entry, field = [], None, None
    lines = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").splitlines()
    for line in [*lines, ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = {"msgid": "", "msgid_plural": None, "msgstr": {}, "flags": ""}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif match := re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d)\])? (\".*\")$", line):
            key, index, text = match[1], match[2], ast.literal_eval(match[3])
            field = ("msgstr", int(index or 0)) if key == "msgstr" else (key, None)
            if key == "msgstr":
                entry["msgstr"][field[1]] = text
            else:
                entry[key] = text
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] = (entry[field[0]] or "") + text
    return entries


# -- Plurals: every count-bearing text, in Polish and in English -----------------------------------------------

PLURALS = [
    # (singular msgid, plural msgid, {n: Polish}, {n: English}) for n in COUNTS
    (
        "%(counter)s dokument",
        "%(counter)s dokumentów",
        ["1 dokument", "2 dokumenty", "5 dokumentów", "12 dokumentów", "22 dokumenty", "25 dokumentów"],
        ["1 document", "2 documents", "5 documents", "12 documents", "22 documents", "25 documents"],
    ),
    (
        "Wysłano %(n)d hasło.",
        "Wysłano %(n)d haseł.",
        ["Wysłano 1 hasło.", "Wysłano 2 hasła.", "Wysłano 5 haseł.", "Wysłano 12 haseł.", "Wysłano 22 hasła.",
         "Wysłano 25 haseł."],
        ["Sent 1 password.", "Sent 2 passwords.", "Sent 5 passwords.", "Sent 12 passwords.", "Sent 22 passwords.",
         "Sent 25 passwords."],
    ),
    (
        "%(n)d wiersz",
        "%(n)d wierszy",
        ["1 wiersz", "2 wiersze", "5 wierszy", "12 wierszy", "22 wiersze", "25 wierszy"],
        ["1 row", "2 rows", "5 rows", "12 rows", "22 rows", "25 rows"],
    ),
    (
        "Import odrzucony: %(n)d błąd, nic nie zapisano.",
        "Import odrzucony: %(n)d błędów, nic nie zapisano.",
        [f"Import odrzucony: {n} {word}, nic nie zapisano."
         for n, word in zip(COUNTS, ["błąd", "błędy", "błędów", "błędów", "błędy", "błędów"], strict=True)],
        [f"Import refused: {n} error{'s' if n != 1 else ''}, nothing saved." for n in COUNTS],
    ),
    (
        "Zaloguj się nim w ciągu %(hours)s godziny:",
        "Zaloguj się nim w ciągu %(hours)s godzin:",
        [f"Zaloguj się nim w ciągu {n} {'godziny' if n == 1 else 'godzin'}:" for n in COUNTS],
        [f"Log in with it within {n} hour{'s' if n != 1 else ''}:" for n in COUNTS],
    ),
    (
        "%(n)d miesiąc do %(until)s",
        "%(n)d miesięcy do %(until)s",
        [f"{n} {word} do 10.2026" for n, word in zip(
            COUNTS, ["miesiąc", "miesiące", "miesięcy", "miesięcy", "miesiące", "miesięcy"], strict=True
        )],
        [f"{n} month{'s' if n != 1 else ''} up to 10.2026" for n in COUNTS],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("singular", "plural", "polish", "english"), PLURALS, ids=[p[0] for p in PLURALS])
def test_it_gives_each_count_its_plural_form_in_polish_and_english(singular, plural, polish, english):
    for language, expected in (("pl", polish), ("en", english)):
        with translation.override(language):
            shown = [
                ngettext(singular, plural, n) % {"n": n, "counter": n, "hours": n, "until": "10.2026"} for n in COUNTS
            ]
        assert shown == expected, language


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", ["1 dokument", "2 dokumenty", "5 dokumentów", "12 dokumentów", "22 dokumenty", "25 dokumentów"]),
        ("en", ["1 document", "2 documents", "5 documents", "12 documents", "22 documents", "25 documents"]),
    ],
)
def test_the_invoice_list_caption_counts_documents_right(language, expected):
    caption = Path(settings.BASE_DIR, "templates/invoices/list.html").read_text(encoding="utf-8")
    tag = re.search(r"{% blocktranslate count.*?{% endblocktranslate %}", caption)[0]
    template = Template("{% load i18n %}" + tag.replace("page.paginator.count", "n"))
    with translation.override(language):
        assert [template.render(Context({"n": n})) for n in COUNTS] == expected


@translation.override("pl")
def test_the_importer_counts_the_errors_it_leaves_out_in_the_right_form():
    shown = []
    for more in COUNTS:
        problems = Problems(limit=1)
        for _ in range(1 + more):
            problems.add("odczyty.csv", 2, "-", "błąd")
        shown.append(problems.report()[-1])
    assert shown == [
        "… i 1 kolejny błąd (razem 2).",
        "… i 2 kolejne błędy (razem 3).",
        "… i 5 kolejnych błędów (razem 6).",
        "… i 12 kolejnych błędów (razem 13).",
        "… i 22 kolejne błędy (razem 23).",
        "… i 25 kolejnych błędów (razem 26).",
    ]


def test_the_password_length_rule_counts_characters_in_both_languages():
    with translation.override("pl"):
        assert MaximumLengthValidator(22).get_help_text() == "Hasło może mieć do 22 znaków; spacje są dozwolone."
        with pytest.raises(ValidationError, match="najwyżej 2 znaki"):
            MaximumLengthValidator(2).validate("abc")
    with translation.override("en"), pytest.raises(ValidationError, match="at most 1 character\\."):
        MaximumLengthValidator(1).validate("abc")


def test_djangos_own_password_rules_speak_polish_and_english(db):
    with translation.override("pl"), pytest.raises(ValidationError) as polish:
        validate_password("12345")
    assert "To hasło jest za krótkie. Musi zawierać co najmniej 12 znaków." in polish.value.messages
    assert "Hasło składa się wyłącznie z cyfr." in polish.value.messages
    with translation.override("en"), pytest.raises(ValidationError) as english:
        validate_password("12345")
    assert "This password is entirely numeric." in english.value.messages


# -- What operators read: the importer, commands, system checks ------------------------------------------------

OPERATOR_MODULES = [
    *sorted(Path(settings.BASE_DIR, "customers/importer").glob("*.py")),
    *sorted(Path(settings.BASE_DIR, "accounts/management/commands").glob("*.py")),
    Path(settings.BASE_DIR, "customers/management/commands/import_billing.py"),
    Path(settings.BASE_DIR, "customers/management/commands/demo_data.py"),
    Path(settings.BASE_DIR, "accounts/limits.py"),
    Path(settings.BASE_DIR, "invoices/checks.py"),
    Path(settings.BASE_DIR, "invoices/verification.py"),
    Path(settings.BASE_DIR, "invoices/views.py"),
    Path(settings.BASE_DIR, "invoices/ksef.py"),
    Path(settings.BASE_DIR, "invoices/ksef_import.py"),
    *sorted(Path(settings.BASE_DIR, "invoices/management/commands").glob("*.py")),
]
TRANSLATING = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
LOGGING = {"debug", "info", "warning", "error", "exception"}  # log lines stay as written: one text to grep for


def untranslated_polish(path):
    """Polish string literals of a module that no gettext call wraps (docstrings and log lines aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if not re.search("[ąćęłńóśźż]", node.value, re.IGNORECASE) or isinstance(parents.get(node), ast.Expr):
            continue
        calls = []
        parent = parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.Call):
                function = parent.func
                calls.append(getattr(function, "id", None) or getattr(function, "attr", None))
            parent = parents.get(parent)
        if not TRANSLATING.intersection(calls) and not LOGGING.intersection(calls[:1]):
            found.append(f"{path.name}:{node.lineno}: {node.value}")
    return found


def test_every_polish_text_an_operator_reads_goes_through_gettext():
    assert [text for path in OPERATOR_MODULES for text in untranslated_polish(path)] == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            None,  # no language activated, as a command runs: Polish
            [
                "Fa_3_Przykład_20.xml:0: KodWaluty: faktura w walucie EUR (KodWaluty): eBOK przyjmuje tylko faktury "
                "w złotych (PLN)",
                "FA_3_Przykład_1.xml:0: Podmiot1/NIP: fakturę wystawił sprzedawca o NIP 9999999999, a sprzedawcą "
                "regionu Jaworzno jest NIP 6320000068: eBOK przyjmuje tylko faktury wystawione przez firmę",
                "Import odrzucony: 2 błędy, nic nie zapisano.",
            ],
        ),
        (
            "en",
            [
                "Fa_3_Przykład_20.xml:0: KodWaluty: an invoice in EUR (KodWaluty): eBOK accepts only invoices in "
                "złoty (PLN)",
                "FA_3_Przykład_1.xml:0: Podmiot1/NIP: the invoice was issued by the seller with NIP 9999999999, but "
                "the seller of region Jaworzno is NIP 6320000068: eBOK accepts only invoices issued by the company",
                "Import refused: 2 errors, nothing saved.",
            ],
        ),
    ],
)
def test_a_ksef_import_refusal_reads_in_the_active_language(owner, tmp_path, language, expected):
    euro = as_issued_to(owner, "Fa_3_Przykład_20.xml", tmp_path)
    other_seller = as_issued_to(owner, "FA_3_Przykład_1.xml", tmp_path)
    other_seller.write_bytes(other_seller.read_bytes().replace(b"<NIP>6320000068</NIP>", b"<NIP>9999999999</NIP>", 1))
    err = io.StringIO()
    active = translation.override(language) if language else contextlib.nullcontext()
    with active, pytest.raises(CommandError) as refused:
        call_command("import_ksef", euro, other_seller, "--region", "jaworzno", "--customer", "1234", stderr=err)
    assert [*err.getvalue().splitlines(), str(refused.value)] == expected
    assert not Invoice.objects.exists()


@translation.override("en")
def test_the_limits_describe_what_they_count_in_the_active_language():
    assert [str(rule.why) for rule in limits.RULES][:2] == [
        "password requests from one IP address",
        "password e-mails to one customer requested from one network",
    ]


# -- The catalogues ---------------------------------------------------------------------------------------------


def test_the_polish_catalogue_has_three_plural_forms_filled_in_for_every_count():
    header, *entries = read_po("pl")
    assert (
        "Plural-Forms: nplurals=3; plural=(n==1 ? 0 : (n%10>=2 && n%10<=4) && (n%100<12 || n%100>14) ? 1 : 2);"
        in header["msgstr"][0]
    )
    plurals = [entry for entry in entries if entry["msgid_plural"] is not None]
    assert len(plurals) >= 15
    for entry in plurals:
        assert sorted(entry["msgstr"]) == [0, 1, 2], entry["msgid"]
        assert all(entry["msgstr"].values()), entry["msgid"]
        assert "fuzzy" not in entry["flags"], entry["msgid"]


def test_every_text_has_an_english_translation_that_is_not_fuzzy():
    header, *entries = read_po("en")
    assert "fuzzy" not in header["flags"]
    missing = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or "fuzzy" in e["flags"]]
    assert missing == []
    placeholders = re.compile(r"%\(\w+\)\w")
    for entry in entries:
        assert sorted(placeholders.findall(entry["msgstr"][0])) == sorted(placeholders.findall(entry["msgid"]))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_compiled_catalogue_is_current_with_its_po_file(language):
    """The .mo files are committed (a machine without gettext's msgfmt still runs the portal): after editing a
    .po, `make messages` compiles them again; this fails when that was forgotten."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    _header, *entries = read_po(language)
    for entry in entries:
        if entry["msgid_plural"] is not None:
            for index, text in entry["msgstr"].items():
                n = {"pl": [1, 2, 5], "en": [1, 2]}[language][index]
                assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) == text, entry["msgid"]
        elif entry["msgstr"][0]:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


def test_no_text_addresses_the_reader_by_gender():
    """Gender-neutral wording: no "złożyłeś", "prosiłaś", "Zalogowałeś" in what the portal says."""
    gendered = re.compile(r"\w+(?:łeś|łaś|łbyś|łabyś)\b|\bzalogowan[ya]\b", re.IGNORECASE)
    found = [e["msgid"] for e in read_po("en") if gendered.search(e["msgid"])]
    templates = Path(settings.BASE_DIR, "templates")
    found += [str(p) for p in templates.rglob("*.*") if gendered.search(p.read_text(encoding="utf-8"))]
    assert found == []


# -- Typography -------------------------------------------------------------------------------------------------


@translation.override("pl")
def test_percentages_have_a_non_breaking_space_and_negative_amounts_the_minus_sign():
    from consumption.formats import format_change

    assert vat_rate("23") == "23\u00a0%"
    assert format_change(Decimal("3.4")) == "+3,4\u00a0%"
    assert zl(Decimal("-1234.5")) == "\u22121\u00a0234,50\u00a0zł"
    assert amount(Decimal("-12.5")) == format_change(Decimal("-12.5"))[:-2] == "\u221212,5"


# -- The switch and the customer's language ---------------------------------------------------------------------


def switch(client, language, next_url="/kontakt/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_polish_is_the_default(client, db):
    page = client.get("/kontakt/").content.decode()
    assert '<html lang="pl">' in page
    assert "Przejdź do treści" in page
    assert BINDING_NOTE not in page


def test_every_page_has_the_switch_as_a_plain_form_with_csrf(client, db):
    page = client.get(reverse("landing")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<button type="submit" name="language" value="en" lang="en"' in page
    assert '<input type="hidden" name="next" value="/">' in page


def test_the_switch_names_each_language_in_that_language(client, db):
    """A reader who knows no Polish finds "English" on a Polish page (not "angielski"), and the other way round."""
    polish = client.get(reverse("landing")).content.decode()
    assert 'lang="en" class="link-button">English</button>' in polish
    assert 'lang="pl" aria-current="true">Polski</span>' in polish
    switch(client, "en")
    english = client.get(reverse("landing")).content.decode()
    assert 'lang="pl" class="link-button">Polski</button>' in english
    assert 'lang="en" aria-current="true">English</span>' in english


def test_the_switch_sets_the_cookie_and_the_next_page_is_english_with_the_binding_note(client, db):
    response = switch(client, "en")
    assert response.status_code == 302
    assert response["Location"] == "/kontakt/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/kontakt/").content.decode()
    assert '<html lang="en">' in page
    assert "Skip to content" in page
    assert BINDING_NOTE in page
    switch(client, "pl")
    assert '<html lang="pl">' in client.get("/kontakt/").content.decode()


def test_the_switch_refuses_a_post_without_csrf(db):
    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 403


def test_the_switch_does_not_redirect_to_another_site(client, db):
    response = switch(client, "en", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_a_logged_in_customers_choice_is_stored_on_their_login(client, owner):
    log_in(client, owner)
    switch(client, "en", next_url="/konto/")
    assert User.objects.get(customer=owner).language == "en"
    page = client.get("/konto/").content.decode()
    assert "Change password" in page
    assert "Logged in as customer:" in page


def test_a_choice_made_before_login_becomes_the_customers_and_a_stored_one_follows_to_a_new_browser(owner_user):
    from tests.accounts.conftest import login

    user = owner_user
    browser = Client()
    switch(browser, "en", next_url="/jaworzno/logowanie/")
    assert login(browser).status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    response = login(Client(ip="10.0.0.2"))  # another browser, no language cookie yet
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_e_mails_come_in_the_customers_language(owner, run_worker):
    User.objects.for_customer(owner)
    User.objects.filter(customer=owner).update(language="en")
    emails.password_changed(customer=owner)
    run_worker()
    message = mail.outbox[-1]
    assert message.subject == "eBOK: the password has been changed"
    assert "has just been set or changed" in message.body
    assert "The Polish version is legally binding." in message.body
    assert '<html lang="en">' in message.alternatives[0][0]


def test_e_mails_are_polish_by_default(owner, run_worker):
    emails.password_changed(customer=owner)
    run_worker()
    assert mail.outbox[-1].subject == "eBOK: hasło zostało zmienione"
    assert "legally binding" not in mail.outbox[-1].body


@pytest.mark.parametrize("template", ["password_changed", "email_changed", "one_time_password"])
def test_a_polish_e_mail_does_not_call_itself_a_translation(owner, template):
    """The plain text is rendered without a request: it must ask for the language itself."""
    from django.template.loader import render_to_string

    context = {"customer": owner, "company": {}, "password": "x", "validity_hours": 24, "new_email": "a@b.pl"}
    text = render_to_string(f"emails/{template}.txt", context)
    assert "tłumaczeniem" not in text
    with translation.override("en"):
        assert "legally binding" in render_to_string(f"emails/{template}.txt", context)


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_invoice_pdf_comes_in_english_rendered_fresh_while_the_stored_one_stays_polish(
    client, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    invoice = make_invoice(owner)
    log_in(client, owner)
    url = reverse("invoices:pdf", args=[invoice.public_id])
    polish = pdf_text(client.get(url).content)
    assert "Sprzedawca" in polish
    switch(client, "en", next_url="/faktury/")
    english = pdf_text(client.get(url).content)
    assert "Seller" in english
    assert "Sprzedawca" not in english
    assert BINDING_NOTE in " ".join(english.split())
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stored:
        assert "Sprzedawca" in pdf_text(stored.read())  # the stored file is the Polish, binding one
