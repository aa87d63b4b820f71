"""import_ksef: FA(3) files validated offline, mapped onto invoices, original bytes kept, all or nothing."""

import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from customers.models import Customer, ImportRun, Region
from invoices import ksef
from invoices.models import Invoice

SAMPLES = Path(__file__).parent / "ksef_samples"
NS = {"f": "http://crd.gov.pl/wzor/2025/06/25/13775/"}
KSEF_NUMBER = "5265877635-20250826-0100001AF629-AF"


def run(*args, region="jaworzno"):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_ksef", *map(str, args), "--region", region, stdout=out, stderr=err)
    except CommandError:
        raise CommandError(err.getvalue()) from None
    return out.getvalue()


def xml_totals(path):
    """What the XML says, read here independently of invoices.ksef."""
    fa = etree.parse(str(path)).getroot().find("f:Fa", NS)
    amount = lambda name: sum(Decimal(e.text) for e in fa.iterfind(f"f:{name}", NS))  # noqa: E731
    net = sum(amount(f"P_13_{n}") for n in (1, 2, 3, 7))
    vat = sum(amount(f"P_14_{n}") for n in (1, 2, 3))
    lines = [
        (row.findtext("f:P_7", namespaces=NS).split()[0], Decimal(row.findtext("f:P_11", namespaces=NS)))
        for row in fa.iterfind("f:FaWiersz", NS)
    ]
    return fa.findtext("f:P_2", namespaces=NS), net, vat, amount("P_15"), lines


# The Ministry's samples are issued by NIP 9999999999 (a valid NIP); here both regions' company issues them.
SAMPLE_SELLER = "9999999999"


@pytest.fixture(autouse=True)
def regions_issue_the_samples(db):
    Region.objects.update(seller_nip=SAMPLE_SELLER)


@pytest.fixture
def invoice_xml(tmp_path):
    """invoice.xml (of KSeF's PDF generator, seller 5265877635) as issued by the samples' seller."""
    raw = (SAMPLES / "invoice.xml").read_bytes()
    path = tmp_path / "invoice.xml"
    path.write_bytes(raw.replace(b"<NIP>5265877635</NIP>", f"<NIP>{SAMPLE_SELLER}</NIP>".encode(), 1))
    return path


@pytest.fixture
def buyer(jaworzno):
    return Customer.objects.create(region=jaworzno, number="001234", name="Kupujący")


@pytest.fixture
def other_buyer(bedzin):
    return Customer.objects.create(region=bedzin, number="001234", name="Kupujący B")


@pytest.mark.parametrize("sample", ["FA_3_Przykład_1.xml", "FA_3_Przykład_10.xml", "invoice.xml"])
def test_a_sample_imports_with_the_xmls_totals_and_lines(sample, buyer, invoice_xml):
    path = invoice_xml if sample == "invoice.xml" else SAMPLES / sample
    assert "utworzono 1, zmieniono 0, bez zmian 0" in run(path, "--customer", "1234")
    number, net, vat, gross, lines = xml_totals(path)
    invoice = Invoice.objects.get(number=number)
    assert (invoice.net, invoice.vat, invoice.gross) == (net, vat, gross)
    assert [(line.name.split()[0], line.net_value) for line in invoice.lines.order_by("position")] == lines
    assert bytes(invoice.ksef_xml) == path.read_bytes()
    assert invoice.customer == buyer
    assert invoice.kind == "VAT"


def test_an_invoice_of_another_seller_is_refused_and_nothing_is_written(buyer, jaworzno):
    jaworzno.seller_nip = "6320000068"
    jaworzno.save()
    with pytest.raises(
        CommandError,
        match="Podmiot1/NIP: fakturę wystawił sprzedawca o NIP 9999999999, a sprzedawcą regionu Jaworzno jest "
        "NIP 6320000068",
    ):
        run(SAMPLES / "FA_3_Przykład_1.xml", "--customer", "1234")
    assert not Invoice.objects.exists()
    recorded = ImportRun.objects.get()
    assert recorded.result == ImportRun.Result.FAILED
    assert "NIP 9999999999" in recorded.errors
    assert recorded.warnings == ""


def test_sample_24_with_period_due_date_and_account(other_buyer):
    run(SAMPLES / "FA_3_Przykład_24.xml", "--customer", "1234-0", region="bedzin-czeladz-sosnowiec")
    invoice = Invoice.objects.get()
    assert (str(invoice.period_from), str(invoice.period_to), str(invoice.due_date)) == (
        "2026-01-01",
        "2026-02-28",
        "2026-03-15",
    )
    assert invoice.payment_account == "73111111111111111111111111"
    assert [line.net_value for line in invoice.lines.order_by("position")] == [Decimal("18.00"), Decimal("25.60")]
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("43.60"), Decimal("10.03"), Decimal("53.63"))


def test_a_correction_of_an_imported_invoice(buyer, tmp_path):
    run(SAMPLES / "FA_3_Przykład_2.xml", SAMPLES / "FA_3_Przykład_1.xml", "--customer", "1234")
    correction = Invoice.objects.get(number="FK2026/03/200")
    assert correction.kind == "KOR"
    assert correction.corrects == Invoice.objects.get(number="FV2026/02/150")
    assert (correction.net, correction.vat, correction.gross) == (
        Decimal("-162.60"),
        Decimal("-37.40"),
        Decimal("-200"),
    )
    # The line before the correction counts negative, so the lines add up to the correction's net amount.
    assert [line.net_value for line in correction.lines.order_by("position")] == [
        Decimal("-1626.01"),
        Decimal("1463.41"),
    ]


def test_a_correction_of_an_unknown_invoice_is_refused(buyer):
    with pytest.raises(CommandError, match="nieznana faktura korygowana FV2026/02/150 odbiorcy 001234-0000"):
        run(SAMPLES / "FA_3_Przykład_2.xml", "--customer", "1234")
    assert not Invoice.objects.exists()


def test_the_ksef_number_comes_from_a_file_name_that_is_one(buyer, tmp_path):
    shutil.copy(SAMPLES / "FA_3_Przykład_1.xml", tmp_path / f"{KSEF_NUMBER}.xml")
    run(tmp_path, "--customer", "1234")
    assert Invoice.objects.get().ksef_number == KSEF_NUMBER


def test_two_invoices_with_one_number_in_one_region_leave_nothing(buyer):
    # Samples 1 and 24 are both FV2026/02/150 (they import into different regions, see above).
    with pytest.raises(CommandError, match=r"FA_3_Przykład_24\.xml:0: P_2: faktura FV2026/02/150 jest już zapisana"):
        run(SAMPLES, "--customer", "1234")
    assert not Invoice.objects.exists()


def test_a_folder_imports_and_a_second_time_is_unchanged(buyer, tmp_path, invoice_xml):
    for name in ("FA_3_Przykład_1.xml", "FA_3_Przykład_2.xml"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    assert "utworzono 3, zmieniono 0, bez zmian 0" in run(tmp_path, "--customer", "1234")
    assert "utworzono 0, zmieniono 0, bez zmian 3" in run(tmp_path, "--customer", "1234")
    assert Invoice.objects.count() == 3
    assert ImportRun.objects.filter(kind="ksef", result="ok").count() == 2


def test_an_invoice_from_the_csv_gets_its_xml(buyer, jaworzno, invoice_xml):
    invoice = Invoice.objects.create(
        region=jaworzno, number="FA/YUCFO-4342344706/03/2026", customer=buyer, issue_date="2025-10-31",
        period_from="2025-10-03", period_to="2025-10-03", due_date="2025-10-31", net=Decimal("27292.28"),
        vat=Decimal("6277.22"), gross=Decimal("33569.50"),
    )  # fmt: skip
    assert "zmieniono 1" in run(invoice_xml, "--customer", "1234")
    invoice.refresh_from_db()
    assert bytes(invoice.ksef_xml) == invoice_xml.read_bytes()
    assert invoice.fa_kind == "VAT"  # what only the XML says is filled in
    assert invoice.lines.count() == 13


def test_an_existing_number_with_other_content_is_an_error(buyer, jaworzno):
    Invoice.objects.create(
        region=jaworzno, number="FV2026/02/150", customer=buyer, issue_date="2026-02-15", due_date="2026-01-27",
        net=Decimal("1667.61"), vat=Decimal("383.39"), gross=Decimal("2051.00"),
    )  # fmt: skip
    with pytest.raises(
        CommandError, match=r"FV2026/02/150 jest już wystawiona .*\(różni się: period_from, period_to, vat"
    ):
        run(SAMPLES / "FA_3_Przykład_1.xml", "--customer", "1234")


def test_a_broken_file_is_rejected_with_the_schemas_message_and_nothing_is_written(buyer, tmp_path, invoice_xml):
    raw = (SAMPLES / "FA_3_Przykład_24.xml").read_bytes().replace(b"<P_15>53.63</P_15>", b"<P_15>sporo</P_15>")
    (tmp_path / "broken.xml").write_bytes(raw)
    shutil.copy(invoice_xml, tmp_path / "a_good.xml")
    with pytest.raises(CommandError) as error:
        run(tmp_path, "--customer", "1234")
    assert "broken.xml:" in str(error.value)
    assert "niezgodny ze schematem FA(3)" in str(error.value)
    assert "P_15" in str(error.value)
    assert not Invoice.objects.exists()
    assert ImportRun.objects.get().result == "failed"


def test_the_buyer_from_nr_klienta_or_a_clear_message(buyer, tmp_path):
    raw = (SAMPLES / "FA_3_Przykład_1.xml").read_bytes()
    (tmp_path / "a.xml").write_bytes(
        raw.replace(b"<NrKlienta>fdfd778343</NrKlienta>", b"<NrKlienta>001234-0000</NrKlienta>")
    )
    run(tmp_path / "a.xml")
    assert Invoice.objects.get().customer == buyer
    with pytest.raises(CommandError, match="„fdfd778343” nie jest numerem odbiorcy: podaj --customer"):
        run(SAMPLES / "FA_3_Przykład_1.xml", region="bedzin-czeladz-sosnowiec")


def test_dry_run_writes_nothing(buyer, invoice_xml):
    assert "Próba (--dry-run)" in run(invoice_xml, "--customer", "1234", "--dry-run")
    assert not Invoice.objects.exists()


def test_the_schema_is_found_inside_the_project_without_the_network(monkeypatch):
    assert ksef.SCHEMA_DIR.is_relative_to(Path(ksef.__file__).parent)
    ksef.schema.cache_clear()
    ksef.schema()  # the parser has no_network=True: an unresolved import would fail here


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE Faktura [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE Faktura [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
)
def test_a_document_type_declaration_is_refused(prolog):
    raw = (SAMPLES / "FA_3_Przykład_24.xml").read_bytes()
    declaration_end = raw.index(b"?>") + 2
    with pytest.raises(ksef.KsefError, match="DOCTYPE"):
        ksef.validate(raw[:declaration_end] + prolog + raw[declaration_end:])


def test_an_invoice_for_a_buyer_with_another_nip_is_refused(buyer):
    buyer.nip = "6320000068"
    buyer.save()
    with pytest.raises(CommandError, match="Podmiot2/NIP: nabywca ma NIP 1111111111, a odbiorca 001234-0000"):
        run(SAMPLES / "FA_3_Przykład_1.xml", "--customer", "1234")
    assert not Invoice.objects.exists()
    assert ImportRun.objects.get().result == ImportRun.Result.FAILED


def edited_sample(tmp_path, old, new):
    raw = (SAMPLES / "FA_3_Przykład_24.xml").read_bytes()
    assert old in raw
    path = tmp_path / "edited.xml"
    path.write_bytes(raw.replace(old, new, 1))
    return path


def test_a_number_longer_than_eboks_is_refused_with_a_message(other_buyer, tmp_path):
    path = edited_sample(tmp_path, b"<P_2>FV2026/02/150</P_2>", b"<P_2>" + b"FV/" + b"9" * 70 + b"</P_2>")
    with pytest.raises(CommandError, match="P_2: numer faktury ma 73 znaki: eBOK przyjmuje najwyżej 60"):
        run(path, "--customer", "1234", region="bedzin-czeladz-sosnowiec")
    assert ImportRun.objects.get().result == ImportRun.Result.FAILED


def test_an_inverted_period_is_refused_with_a_message(other_buyer, tmp_path):
    path = edited_sample(tmp_path, b"<P_6_Od>2026-01-01</P_6_Od>", b"<P_6_Od>2026-03-01</P_6_Od>")
    with pytest.raises(CommandError, match="OkresFa: okres od 2026-03-01 jest późniejszy niż do 2026-02-28"):
        run(path, "--customer", "1234", region="bedzin-czeladz-sosnowiec")
    assert not Invoice.objects.exists()


def test_imported_invoices_and_those_they_correct_get_their_pdfs_queued(buyer):
    from django_tasks_db.models import DBTaskResult

    run(SAMPLES / "FA_3_Przykład_1.xml", "--customer", "1234")
    invoice = Invoice.objects.get()
    Invoice.objects.update(pdf="invoices/2026/02/stored.pdf")
    DBTaskResult.objects.all().delete()
    run(SAMPLES / "FA_3_Przykład_2.xml", "--customer", "1234")
    correction = Invoice.objects.get(kind="KOR")
    invoice.refresh_from_db()
    assert invoice.pdf.name == ""  # its PDF names its corrections
    queued = {public_id for task in DBTaskResult.objects.all() for public_id in task.args_kwargs["args"][0]}
    assert queued == {str(invoice.public_id), str(correction.public_id)}


def test_a_csv_invoice_getting_its_xml_gets_a_new_pdf(other_buyer):
    from django_tasks_db.models import DBTaskResult

    sample, region = SAMPLES / "FA_3_Przykład_24.xml", "bedzin-czeladz-sosnowiec"
    run(sample, "--customer", "1234", region=region)
    invoice = Invoice.objects.get()
    Invoice.objects.update(ksef_xml=None, pdf="invoices/2026/02/stored.pdf")  # as if known from the CSV only
    DBTaskResult.objects.all().delete()
    assert "zmieniono 1" in run(sample, "--customer", "1234", region=region)
    invoice.refresh_from_db()
    assert invoice.pdf.name == ""
    assert bytes(invoice.ksef_xml) == sample.read_bytes()
    assert DBTaskResult.objects.count() == 1


def test_a_database_refusal_is_recorded_as_a_failed_run_and_leaves_nothing(buyer, monkeypatch):
    from django.db import IntegrityError

    from invoices.models import InvoiceLine

    def refuse(*args, **kwargs):
        raise IntegrityError("violates check constraint")

    monkeypatch.setattr(InvoiceLine.objects, "bulk_create", refuse)
    with pytest.raises(CommandError, match="baza danych odrzuciła zapis"):
        run(SAMPLES / "FA_3_Przykład_1.xml", "--customer", "1234")
    assert not Invoice.objects.exists()
    recorded = ImportRun.objects.get()
    assert recorded.result == ImportRun.Result.FAILED
    assert recorded.created == 0


def test_the_seller_is_copied_as_issued(other_buyer, bedzin):
    run(SAMPLES / "FA_3_Przykład_24.xml", "--customer", "1234-0", region="bedzin-czeladz-sosnowiec")
    bedzin.refresh_from_db()
    assert Invoice.objects.values(*Invoice.SELLER_FIELDS).get() == Invoice.seller_copy(bedzin)
    assert Invoice.objects.get().seller_nip == SAMPLE_SELLER
