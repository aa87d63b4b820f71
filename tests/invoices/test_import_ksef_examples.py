"""The Ministry's FA(3) examples (fa3_examples/, see SOURCES.txt there) as a heat company would issue them: the
region's NIP as seller, the customer's NIP as buyer, a number of eBOK's own. Each one either imports with its
kind, amounts and advances, or is refused with a message naming what eBOK cannot represent."""

import contextlib
import datetime
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from customers.models import ImportRun
from invoices import ksef
from invoices.balance import Ledger
from invoices.models import CorrectedInvoice, Invoice
from tests.conftest import text_of
from tests.invoices.conftest import make_invoice
from tests.invoices.test_invoice_pdf import pdf_text

EXAMPLES = Path(__file__).parent / "fa3_examples"
NS = {"f": "http://crd.gov.pl/wzor/2025/06/25/13775/"}
ADVANCE_KSEF = "9999999999-20230908-8BEF280C8D35-4D"  # the advance invoice examples 11, 14 and 17 name

# name: (FA(3) kind, net, VAT, gross, order value, before correction, settled advances) or the refusal.
EXPECTED = {
    "FA_3_Przykład_1.xml": ("VAT", "1667.61", "383.38", "2051", None, None, 0),
    "FA_3_Przykład_2.xml": ("KOR", "-162.60", "-37.40", "-200", None, None, 0),
    "FA_3_Przykład_3.xml": ("KOR", "-162.60", "-37.40", "-200", None, None, 0),  # the difference only
    "FA_3_Przykład_4.xml": "Platnosc/RachunekBankowyFaktora: eBOK nie przyjmuje faktur, w których występuje "
    "płatność na rachunek faktora",
    "FA_3_Przykład_5.xml": ("KOR", "0", "0", "0", None, None, 0),  # the buyer's name corrected, no amounts
    "FA_3_Przykład_6.xml": ("KOR", "-40650.41", "-9349.59", "-50000", None, None, 0),  # a discount on six
    "FA_3_Przykład_7.xml": ("KOR", "-40650.41", "-9349.59", "-50000", None, None, 0),  # the same, naming goods
    "FA_3_Przykład_8.xml": "Adnotacje/PMarzy: eBOK nie przyjmuje faktur, w których występuje procedura marży",
    "FA_3_Przykład_9.xml": ("VAT", "2300", "460", "2760", None, None, 0),  # 23 % and exempt (zw)
    "FA_3_Przykład_10.xml": ("ZAL", "16260.16", "3739.84", "20000", "375150", None, 0),
    "FA_3_Przykład_11.xml": ("KOR_ZAL", "2221.34", "-2221.34", "0", "375150", "20000", 0),
    "FA_3_Przykład_12.xml": ("KOR_ZAL", "9240.75", "759.25", "10000", "375150", "20000", 0),
    "FA_3_Przykład_13.xml": ("KOR_ZAL", "0", "0", "0", "337635", "30000", 0),  # the order's value only
    "Fa_3_Przykład_14.xml": ("ROZ", "284277.75", "23357.25", "307635", "337635", None, 1),
    "FA_3_Przykład_15.xml": ("UPR", "365.85", "84.15", "450", None, None, 0),
    "FA_3_Przykład_16.xml": ("UPR", "365.85", "84.15", "450", None, None, 0),  # gross and rate only
    "Fa_3_Przykład_17.xml": ("ROZ", "277222.45", "22777.55", "300000", "337635", None, 1),
    "Fa_3_Przykład_18.xml": ("KOR_ROZ", "7055.30", "579.70", "7635", None, "300000", 1),
    "Fa_3_Przykład_19.xml": "Adnotacje/PMarzy: eBOK nie przyjmuje faktur, w których występuje procedura marży",
    "Fa_3_Przykład_20.xml": "KodWaluty: faktura w walucie EUR (KodWaluty): eBOK przyjmuje tylko faktury w złotych",
    "FA_3_Przykład_21.xml": "KodWaluty: faktura w walucie EUR (KodWaluty): eBOK przyjmuje tylko faktury w złotych",
    "FA_3_Przykład_22.xml": "KodWaluty: faktura w walucie EUR (KodWaluty): eBOK przyjmuje tylko faktury w złotych",
    "FA_3_Przykład_23.xml": "KodWaluty: faktura w walucie USD (KodWaluty): eBOK przyjmuje tylko faktury w złotych",
    "FA_3_Przykład_24.xml": ("VAT", "43.60", "10.03", "53.63", None, None, 0),
    "FA_3_Przykład_25.xml": ("VAT", "43.60", "10.03", "53.63", None, None, 0),
    "FA_3_Przykład_26.xml": "Rozliczenie: eBOK nie przyjmuje faktur, w których występują obciążenia lub odliczenia "
    "poza kwotą faktury (Rozliczenie: obciążenie 5 „Kaucja (system kaucyjny) 10 x 0,50 PLN”; do zapłaty 36.5; "
    "kwota faktury P_15 31.5)",
}
# The collective corrections (several DaneFaKorygowanej): how many invoices each names.
COLLECTIVE = {"FA_3_Przykład_6.xml": 6, "FA_3_Przykład_7.xml": 6}


def as_issued_to(customer, name, folder, *, number=None):
    """The example with the region's seller NIP, the customer's NIP as buyer and its own number, as the
    checker gives them; everything else (the numbers of corrected and advance invoices too) unchanged."""
    document = etree.parse(str(EXAMPLES / name))
    root = document.getroot()
    root.find("f:Podmiot1/f:DaneIdentyfikacyjne/f:NIP", NS).text = customer.region.seller_nip
    buyer_nip = root.find("f:Podmiot2/f:DaneIdentyfikacyjne/f:NIP", NS)
    if buyer_nip is not None:  # a foreign buyer (examples 22, 23) has a VAT UE number or another ID instead
        buyer_nip.text = customer.nip
    root.find("f:Fa/f:P_2", NS).text = number or f"EBOK/{Path(name).stem[-2:].strip('_')}"
    path = folder / name
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def run(*paths, customer="1234"):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_ksef", *map(str, paths), "--region", "jaworzno", "--customer", customer,
                     stdout=out, stderr=err)  # fmt: skip
    except CommandError as error:
        raise CommandError(f"{err.getvalue()}{error}") from None
    return out.getvalue()


def corrected_number(name):
    return etree.parse(str(EXAMPLES / name)).findtext("f:Fa/f:DaneFaKorygowanej/f:NrFaKorygowanej", namespaces=NS)


def test_every_example_is_saved_with_its_source():
    sources = (EXAMPLES / "SOURCES.txt").read_text()
    assert sorted(path.name for path in EXAMPLES.glob("*.xml")) == sorted(EXPECTED)
    for name in EXPECTED:
        assert f"\n{name} | " in sources
        sha256 = hashlib.sha256((EXAMPLES / name).read_bytes()).hexdigest()
        assert re.search(rf"^{re.escape(name)} \| .* \| {sha256}$", sources, re.MULTILINE), name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_example_is_valid_against_the_schema(name):
    # Fixtures read through the search index: a lost or changed byte fails here, not as an odd import.
    document = ksef.validate((EXAMPLES / name).read_bytes())
    assert document.findtext("f:Fa/f:P_15", namespaces=NS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_example_imports_with_its_kind_and_amounts_or_is_refused_naming_the_feature(name, owner, tmp_path):
    expected = EXPECTED[name]
    if corrected_number(name):  # the invoice it corrects, as eBOK already has it
        make_invoice(owner, corrected_number(name), gross="100.00", lines=False)
    path = as_issued_to(owner, name, tmp_path)
    if isinstance(expected, str):
        with pytest.raises(CommandError, match=re.escape(expected)):
            run(path)
        assert not Invoice.objects.filter(number__startswith="EBOK/").exists()
        assert ImportRun.objects.get().result == ImportRun.Result.FAILED
        return
    assert "utworzono 1" in run(path)
    invoice = Invoice.objects.get(number__startswith="EBOK/")
    fa_kind, net, vat, gross, order_value, before_correction, advances = expected
    assert invoice.fa_kind == fa_kind
    assert invoice.kind == ("KOR" if fa_kind.startswith("KOR") else "VAT")
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal(net), Decimal(vat), Decimal(gross))
    assert invoice.order_value == (Decimal(order_value) if order_value else None)
    assert invoice.before_correction == (Decimal(before_correction) if before_correction else None)
    assert invoice.settled_advances.count() == advances
    assert invoice.corrected_invoices.count() == COLLECTIVE.get(name, 0)
    if invoice.kind == "KOR":
        assert invoice.corrects == Invoice.objects.get(number=corrected_number(name))
    assert invoice.customer == owner
    assert bytes(invoice.ksef_xml) == path.read_bytes()


def test_no_example_fails_with_an_empty_rate_or_a_line_sum_message(owner, tmp_path):
    for name in EXPECTED:
        if corrected_number(name) and not Invoice.objects.filter(number=corrected_number(name)).exists():
            make_invoice(owner, corrected_number(name), gross="100.00", lines=False)
        with contextlib.suppress(CommandError):
            run(as_issued_to(owner, name, tmp_path))
    errors = "\n".join(ImportRun.objects.values_list("errors", flat=True))
    assert "Adnotacje/PMarzy" in errors  # the refusals were recorded, and with their names
    assert "stawka VAT „”" not in errors
    assert "sumują się do innej kwoty" not in errors


def test_a_settling_invoice_keeps_the_whole_order_in_its_lines_and_the_remainder_as_its_amounts(owner, tmp_path):
    run(as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path, number="FK/ROZ/1"))
    invoice = Invoice.objects.get(number="FK/ROZ/1")
    assert [line.net_value for line in invoice.lines.order_by("position")] == [Decimal(307500), Decimal(4500)]
    assert invoice.order_value == Decimal("337635.00")  # 307 500 + 8 %, 4 500 + 23 %
    assert invoice.settled_advances_total == Decimal("30000.00")
    assert invoice.gross == Decimal("307635")
    settled = invoice.settled_advances.get()
    assert (settled.ksef_number, settled.number, settled.advance) == (ADVANCE_KSEF, "", None)


def test_a_settling_invoice_is_linked_to_the_customers_advance_invoice(owner, tmp_path):
    advance = make_invoice(owner, "FZ/1", gross="30000.00", lines=False, ksef_number=ADVANCE_KSEF)
    run(as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path, number="FK/ROZ/1"))
    assert Invoice.objects.get(number="FK/ROZ/1").settled_advances.get().advance == advance


def test_an_advance_invoice_of_another_customer_is_not_linked(owner, sibling, tmp_path):
    make_invoice(sibling, "FZ/1", gross="30000.00", lines=False, ksef_number=ADVANCE_KSEF)
    run(as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path, number="FK/ROZ/1"))
    assert Invoice.objects.get(number="FK/ROZ/1").settled_advances.get().advance is None


def test_a_settling_invoice_imported_again_is_unchanged_and_keeps_one_advance(owner, tmp_path):
    path = as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path, number="FK/ROZ/1")
    run(path)
    assert "utworzono 0, zmieniono 0, bez zmian 1" in run(path)
    assert Invoice.objects.get().settled_advances.count() == 1


def test_a_settling_invoice_whose_order_is_less_than_what_is_left_is_refused(owner, tmp_path):
    path = as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path)
    path.write_bytes(path.read_bytes().replace(b"<P_15>307635</P_15>", b"<P_15>400000</P_15>"))
    with pytest.raises(CommandError, match=r"całe zamówienie, 337635\.00 z VAT\) są mniejsze niż kwota do zapłaty"):
        run(path)
    assert not Invoice.objects.exists()


def test_a_correction_is_found_by_the_ksef_number_of_the_invoice_it_corrects(owner, tmp_path):
    advance = make_invoice(owner, "FZ/1", gross="20000.00", lines=False, ksef_number=ADVANCE_KSEF)
    run(as_issued_to(owner, "FA_3_Przykład_11.xml", tmp_path, number="FK/ZAL/1"))
    assert Invoice.objects.get(number="FK/ZAL/1").corrects == advance


def test_a_line_without_rate_and_value_takes_the_invoices_only_rate_and_net(owner, tmp_path):
    # A simplified invoice (UPR) may name its goods only, as the Ministry's FA(2) example 15 does.
    path = as_issued_to(owner, "FA_3_Przykład_24.xml", tmp_path, number="FU/1")
    raw = path.read_bytes().replace(b"<RodzajFaktury>VAT</RodzajFaktury>", b"<RodzajFaktury>UPR</RodzajFaktury>")
    raw = raw.replace(b"<P_11>25.60</P_11>\n\t\t\t<P_12>23</P_12>", b"")
    path.write_bytes(raw)
    run(path)
    invoice = Invoice.objects.get(number="FU/1")
    assert invoice.fa_kind == "UPR"
    assert [(line.net_value, line.vat_rate) for line in invoice.lines.order_by("position")] == [
        (Decimal("18.00"), "23"),
        (Decimal("25.60"), "23"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"<P_12>23</P_12>", b"<P_12>oo</P_12>", "odwrotne obciążenie"),
        (b"<P_12>23</P_12>", b"<P_12>22</P_12>", "stawka VAT 22 %"),
        (b"<P_18>2</P_18>", b"<P_18>1</P_18>", "odwrotne obciążenie"),
    ],
)
def test_what_ebok_cannot_represent_is_refused_by_name(owner, tmp_path, old, new, message):
    path = as_issued_to(owner, "FA_3_Przykład_24.xml", tmp_path)
    path.write_bytes(path.read_bytes().replace(old, new, 1))
    with pytest.raises(CommandError, match=f"eBOK nie przyjmuje faktur, w których występuje {message}"):
        run(path)


def test_the_pages_and_pdf_of_a_settling_invoice_name_its_kind_and_advances(owner_client, owner, tmp_path):
    make_invoice(owner, "FZ/1", gross="30000.00", lines=False, ksef_number=ADVANCE_KSEF)
    run(as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path, number="FK/ROZ/1"))
    invoice = Invoice.objects.get(number="FK/ROZ/1")
    page = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert text_of(page, "h1") == "Faktura rozliczeniowa (końcowa) FK/ROZ/1"
    assert "Rozliczone zaliczki" in page
    assert "FZ/1" in page
    assert ADVANCE_KSEF in page
    for amount in ("337\xa0635,00\xa0zł", "30\xa0000,00\xa0zł", "307\xa0635,00\xa0zł"):  # order, advances, left
        assert amount in page
    text = pdf_text(owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content)
    assert "Faktura rozliczeniowa (końcowa) FK/ROZ/1" in text
    assert "Rozliczone zaliczki" in text
    assert "Pozostało do zapłaty" in text


def test_the_vat_summary_of_a_settling_invoice_is_its_own_amounts_not_the_orders(owner_client, owner, tmp_path):
    run(as_issued_to(owner, "Fa_3_Przykład_14.xml", tmp_path, number="FK/ROZ/1"))
    invoice = Invoice.objects.get(number="FK/ROZ/1")
    page = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert "280\xa0177,59\xa0zł" in page  # P_13_2
    assert "22\xa0414,21\xa0zł" in page  # P_14_2
    assert "24\xa0600,00\xa0zł" not in page  # the order's VAT at 8 %


@pytest.mark.parametrize(
    ("name", "labels"), [("FA_3_Przykład_10.xml", ["23\xa0%"]), ("Fa_3_Przykład_14.xml", ["23\xa0%", "8\xa0%"])]
)
def test_the_vat_summary_of_advance_and_settling_invoices_spaces_the_rate_like_the_others(
    owner_client, owner, tmp_path, name, labels
):
    run(as_issued_to(owner, name, tmp_path, number="F/1"))
    invoice = Invoice.objects.get(number="F/1")
    page = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    summary = re.search(r'<table class="invoice-vat">.*?<tbody>(.*?)</tbody>', page, re.S)[1]
    assert re.findall(r'<th scope="row">(.*?)</th>', summary) == labels
    text = pdf_text(owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content)
    for label in labels:
        assert label.replace("\xa0", "") not in page
        assert label.replace("\xa0", "") not in text


@pytest.mark.parametrize(
    ("name", "title", "shown"),
    [
        ("FA_3_Przykład_10.xml", "Faktura zaliczkowa", "375\xa0150,00\xa0zł"),
        ("FA_3_Przykład_11.xml", "Korekta faktury zaliczkowej", "20\xa0000,00\xa0zł"),
        ("Fa_3_Przykład_18.xml", "Korekta faktury rozliczeniowej", "300\xa0000,00\xa0zł"),
    ],
)
def test_advance_invoices_and_corrections_print_as_such(owner_client, owner, tmp_path, name, title, shown):
    if corrected_number(name):
        make_invoice(owner, corrected_number(name), gross="100.00", lines=False)
    run(as_issued_to(owner, name, tmp_path, number="F/1"))
    invoice = Invoice.objects.get(number="F/1")
    page = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert text_of(page, "h1") == f"{title} F/1"
    assert shown in page
    assert f"{title} F/1" in pdf_text(owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content)


def test_lines_priced_only_gross_are_refused_by_name(owner, tmp_path):
    path = as_issued_to(owner, "FA_3_Przykład_1.xml", tmp_path)
    raw = path.read_bytes()
    for value in (b"1626.01", b"40.65"):
        raw = raw.replace(b"<P_11>" + value + b"</P_11>", b"<P_11A>" + value + b"</P_11A>")
    path.write_bytes(raw)
    with pytest.raises(CommandError, match=r"faktura w cenach brutto \(P_11A bez P_11\)"):
        run(path)


def test_a_simplified_invoice_stating_only_its_gross_amount_gets_net_and_vat_at_its_lines_rate(owner, tmp_path):
    run(as_issued_to(owner, "FA_3_Przykład_16.xml", tmp_path, number="FU/16"))
    invoice = Invoice.objects.get(number="FU/16")
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("365.85"), Decimal("84.15"), Decimal("450"))
    assert [(line.name, line.net_value, line.vat_rate) for line in invoice.lines.all()] == [
        ("wiertarka Wiertex mk5", Decimal("365.85"), "23")
    ]


def test_a_simplified_invoice_stating_only_its_gross_amount_in_two_rates_is_refused_by_name(owner, tmp_path):
    path = as_issued_to(owner, "FA_3_Przykład_16.xml", tmp_path)
    raw = path.read_bytes().replace(b"</FaWiersz>", b"</FaWiersz><FaWiersz><NrWierszaFa>2</NrWierszaFa>"
                                    b"<P_7>klucz</P_7><P_12>8</P_12></FaWiersz>")  # fmt: skip
    path.write_bytes(raw)
    with pytest.raises(
        CommandError, match=r"tylko kwotę brutto \(P_15, bez kwot netto P_13\), a jej wiersze mają kilka stawek VAT"
    ):
        run(path)
    assert not Invoice.objects.exists()


def test_a_correction_of_the_buyers_data_only_imports_with_no_amounts_linked_to_its_invoice(owner, tmp_path):
    corrected = make_invoice(owner, "FV2026/02/150", gross="100.00", lines=False)
    run(as_issued_to(owner, "FA_3_Przykład_5.xml", tmp_path, number="FK/5"))
    correction = Invoice.objects.get(number="FK/5")
    assert (correction.kind, correction.corrects, correction.gross) == ("KOR", corrected, Decimal(0))
    assert not correction.lines.exists()


def test_an_exempt_line_keeps_its_rate_beside_a_23_percent_one(owner, tmp_path):
    run(as_issued_to(owner, "FA_3_Przykład_9.xml", tmp_path, number="FV/9"))
    lines = Invoice.objects.get(number="FV/9").lines.order_by("position")
    assert [(line.net_value, line.vat_rate) for line in lines] == [(Decimal(2000), "23"), (Decimal(300), "zw")]


def test_a_correction_of_an_invoice_ebok_does_not_have_is_refused_naming_it(owner, tmp_path):
    with pytest.raises(CommandError, match=r"nieznana faktura korygowana FV2026/02/150 odbiorcy"):
        run(as_issued_to(owner, "FA_3_Przykład_3.xml", tmp_path))
    assert not Invoice.objects.exists()


# The invoices example 6 names, in its order: (number, issue date, KSeF number).
SIX = [
    ("FV2026/01/134", "2026-01-15", "9999999999-20230908-8BEF280C8D35-4D"),
    ("FV2026/02/150", "2026-02-15", "9999999999-20230908-76B2B580D4DC-80"),
    ("FV2026/03/143", "2026-03-15", "9999999999-20230908-4191312C0E57-09"),
    ("FV2026/04/23", "2026-04-15", "9999999999-20230908-2B9266CEF3C4-DD"),
    ("FV2026/05/54", "2026-05-15", "9999999999-20230908-16B99491C78B-3D"),
    ("FV2026/06/15", "2026-06-15", "9999999999-20230908-D08FB95950BE-3E"),
]


def make_named(customer, index, **fields):
    """The `index`-th invoice of SIX as eBOK has it for `customer`."""
    number, issue_date, _ = SIX[index]
    values = {"issue_date": datetime.date.fromisoformat(issue_date), "due_date": datetime.date(2026, 7, 31)}
    return make_invoice(customer, number, gross="12300.00", lines=False, **values | fields)


def test_a_collective_correction_records_every_invoice_it_names_in_order(owner, tmp_path):
    found = make_named(owner, 1)
    run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    rows = Invoice.objects.get(number="FK/6").corrected_invoices.all()
    assert [(row.position, row.number, row.issue_date.isoformat(), row.ksef_number) for row in rows] == [
        (position, *named) for position, named in enumerate(SIX, start=1)
    ]
    assert [row.corrected for row in rows] == [None, found, None, None, None, None]


def test_a_collective_correction_corrects_the_oldest_of_the_customers_invoices_it_names(owner, tmp_path):
    make_named(owner, 4)
    oldest = make_named(owner, 2)
    run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    correction = Invoice.objects.get(number="FK/6")
    assert (correction.kind, correction.corrects) == ("KOR", oldest)
    assert correction.corrected_invoices.filter(corrected__isnull=False).count() == 2


def test_a_collective_correction_finds_an_invoice_by_its_ksef_number(owner, tmp_path):
    renumbered = make_invoice(owner, "FV/LUTY/1", gross="100.00", lines=False, ksef_number=SIX[1][2])
    run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    correction = Invoice.objects.get(number="FK/6")
    assert correction.corrects == renumbered
    assert correction.corrected_invoices.get(position=2).corrected == renumbered


def test_a_collective_correction_does_not_link_another_customers_invoice(owner, sibling, tmp_path):
    make_named(sibling, 0)  # the oldest number, but the sub-customer's
    own = make_named(owner, 3)
    run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    correction = Invoice.objects.get(number="FK/6")
    assert correction.corrects == own
    assert correction.corrected_invoices.get(position=1).corrected is None
    assert not sibling.invoices.get().collective_corrections.exists()


def test_a_collective_correction_of_none_of_the_customers_invoices_is_refused_naming_them(owner, sibling, tmp_path):
    make_named(sibling, 0)
    numbers = ", ".join(number for number, _, _ in SIX)
    with pytest.raises(
        CommandError,
        match=re.escape(f"korekta zbiorcza 6 faktur: żadnej z nich ({numbers}) nie ma w eBOK wśród faktur odbiorcy"),
    ):
        run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    assert not Invoice.objects.filter(number="FK/6").exists()
    assert not CorrectedInvoice.objects.exists()


def test_a_collective_correction_naming_goods_only_gives_its_line_the_discount(owner, tmp_path):
    make_named(owner, 0)
    run(as_issued_to(owner, "FA_3_Przykład_7.xml", tmp_path, number="FK/7"))
    line = Invoice.objects.get(number="FK/7").lines.get()
    assert (line.name, line.quantity, line.net_value, line.vat_rate) == (
        "lodówka Zimnotech mk1",
        Decimal(1000),
        Decimal("-40650.41"),
        "23",
    )


def test_a_collective_correction_imported_again_is_unchanged_and_keeps_its_list(owner, tmp_path):
    make_named(owner, 0)
    path = as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6")
    run(path)
    assert "utworzono 0, zmieniono 0, bez zmian 1" in run(path)
    assert CorrectedInvoice.objects.count() == 6


def test_a_collective_correction_lowers_the_balance_in_the_group_of_the_oldest_invoice(owner, tmp_path):
    oldest, newer = make_named(owner, 0), make_named(owner, 5)
    run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    ledger = Ledger(owner, today=datetime.date(2026, 7, 20))
    group = ledger.groups[oldest.pk]
    assert [document.number for document in group.documents] == ["FK/6", oldest.number]
    assert group.own_outstanding == Decimal("-37700.00")  # 12 300 less the 50 000 discount
    balance = ledger.balance()
    assert (balance.to_pay, balance.overpaid) == (Decimal(0), Decimal("25400.00"))  # 37 700 less FV2026/06/15's
    assert ledger.groups[newer.pk].credited == Decimal("12300.00")


def test_the_page_and_pdf_of_a_collective_correction_list_the_invoices_it_corrects(owner_client, owner, tmp_path):
    make_named(owner, 0)
    run(as_issued_to(owner, "FA_3_Przykład_6.xml", tmp_path, number="FK/6"))
    invoice = Invoice.objects.get(number="FK/6")
    page = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert "<dt>Korekta zbiorcza faktur</dt>" in page
    assert "Koryguje fakturę" not in page
    assert "<li>FV2026/01/134 z dnia 15.01.2026 (KSeF 9999999999-20230908-8BEF280C8D35-4D)</li>" in page
    assert "<li>FV2026/06/15 z dnia 15.06.2026 (KSeF 9999999999-20230908-D08FB95950BE-3E) — brak w eBOK</li>" in page
    text = pdf_text(owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).content)
    assert "Korekta zbiorcza faktur" in text
    for number, _, _ in SIX:
        assert number in text
    assert "Do zwrotu" in text


def test_a_correction_of_one_invoice_still_prints_the_invoice_it_corrects(owner_client, owner, tmp_path):
    make_invoice(owner, "FV2026/02/150", gross="100.00", lines=False)
    run(as_issued_to(owner, "FA_3_Przykład_3.xml", tmp_path, number="FK/3"))
    invoice = Invoice.objects.get(number="FK/3")
    page = owner_client.get(reverse("invoices:detail", args=[invoice.public_id])).content.decode()
    assert "<dt>Koryguje fakturę</dt><dd>FV2026/02/150 z dnia 03.11.2026</dd>" in page
    assert "Korekta zbiorcza" not in page
    assert not invoice.corrected_invoices.exists()


SETTLEMENT_26 = (
    "<Obciazenia><Kwota>5</Kwota><Powod>Kaucja (system kaucyjny) 10 x 0,50  PLN</Powod></Obciazenia>"
    "<SumaObciazen>5</SumaObciazen><DoZaplaty>36.5</DoZaplaty>"
)


@pytest.mark.parametrize(
    ("settlement", "message"),
    [
        (
            "<Odliczenia><Kwota>31.5</Kwota><Powod>nadpłata z FV/1</Powod></Odliczenia>"
            "<SumaOdliczen>31.5</SumaOdliczen><DoZaplaty>0</DoZaplaty>",
            "(Rozliczenie: odliczenie 31.5 „nadpłata z FV/1”; do zapłaty 0; kwota faktury P_15 31.5)",
        ),
        (
            "<Odliczenia><Kwota>40</Kwota><Powod>nadpłata</Powod></Odliczenia><DoRozliczenia>8.5</DoRozliczenia>",
            "(Rozliczenie: odliczenie 40 „nadpłata”; nadpłata do rozliczenia 8.5; kwota faktury P_15 31.5)",
        ),
        ("<DoZaplaty>30</DoZaplaty>", "(Rozliczenie: do zapłaty 30; kwota faktury P_15 31.5)"),
    ],
)
def test_charges_and_deductions_under_rozliczenie_are_refused_naming_each(owner, tmp_path, settlement, message):
    path = as_issued_to(owner, "FA_3_Przykład_26.xml", tmp_path)
    path.write_bytes(path.read_bytes().replace(SETTLEMENT_26.encode(), settlement.encode()))
    with pytest.raises(
        CommandError, match=re.escape(f"występują obciążenia lub odliczenia poza kwotą faktury {message}")
    ):
        run(path)
    assert not Invoice.objects.exists()


def test_a_rozliczenie_stating_the_invoices_own_amount_to_pay_imports(owner, tmp_path):
    path = as_issued_to(owner, "FA_3_Przykład_26.xml", tmp_path, number="FV/26")
    path.write_bytes(path.read_bytes().replace(SETTLEMENT_26.encode(), b"<DoZaplaty>31.5</DoZaplaty>"))
    run(path)
    assert Invoice.objects.get(number="FV/26").gross == Decimal("31.5")
