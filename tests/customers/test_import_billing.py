"""import_billing: the CSV contract of spec/billing-export.md, all or nothing, idempotent, one run at a time."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError
from django.db import connection

from consumption.models import ConsumptionReading
from customers.importer import run as run_module
from customers.models import Customer, ImportRun, MeteringPoint
from invoices.models import Invoice, InvoiceLine, Payment
from tests.customers.importing import ACCOUNT, EXPORT, KSEF, changed, refused, run_import, write_export

MODELS = [Customer, MeteringPoint, ConsumptionReading, Invoice, InvoiceLine, Payment]
ROWS = sum(len(lines) - 1 for lines in EXPORT.values())


def counts():
    return [model.objects.count() for model in MODELS]


def test_it_imports_every_file_of_the_contract(tmp_path, jaworzno):
    out, _ = run_import(write_export(tmp_path))
    assert f"Import zakończony: utworzono {ROWS}, zmieniono 0, bez zmian 0." in out
    assert counts() == [2, 2, 3, 2, 3, 2]
    owner = Customer.objects.get(region=jaworzno, number="001234", sub_code="0000")
    assert owner.name == "Spółdzielnia Mieszkaniowa „Zgoda”".replace("„", '"').replace("”", '"')
    assert owner.nip == "6320000068"
    assert owner.active
    sibling = Customer.objects.get(number="001234", sub_code="0001")
    assert sibling.active  # empty aktywny means T
    assert MeteringPoint.objects.get(identifier="W-0101").ordered_power_mw == Decimal("0.25")
    readings = ConsumptionReading.objects.filter(point__identifier="W-0101").order_by("period_from")
    assert [(r.period_from, r.meter_reading_gj, r.consumption_gj, r.kind) for r in readings] == [
        (datetime.date(2026, 10, 1), Decimal("1234.5"), Decimal("12.5"), "R"),
        (datetime.date(2026, 11, 1), Decimal("1260"), Decimal("25.5"), "S"),
    ]
    invoice = Invoice.objects.get(number="FV/2026/11/0001")
    assert (invoice.net, invoice.vat, invoice.gross) == (Decimal("1000"), Decimal("230"), Decimal("1230"))
    assert (invoice.ksef_number, invoice.payment_account, invoice.customer) == (KSEF, ACCOUNT, owner)
    assert [line.net_value for line in invoice.lines.order_by("position")] == [Decimal("802.25"), Decimal("197.75")]
    correction = Invoice.objects.get(number="KOR/2026/11/0001")
    assert (correction.kind, correction.corrects, correction.gross) == ("KOR", invoice, Decimal("-12.30"))
    assert Payment.objects.get(billing_id="100001").invoice == invoice
    assert Payment.objects.get(billing_id="100002").invoice is None


def test_columns_in_any_order_and_unknown_columns_with_a_warning(tmp_path, jaworzno):
    export = dict(EXPORT)
    export["odbiorcy.csv"] = ["Nazwa;UWAGI;kod", "Jan Nowak;stały klient;77"]
    _, err = run_import(write_export(tmp_path, export, only={"odbiorcy.csv"}))
    assert "odbiorcy.csv: nieznana kolumna „uwagi” — pomijam ją" in err
    assert Customer.objects.get(number="000077").name == "Jan Nowak"


def test_quoted_cells_keep_semicolons_backslashes_tabs_and_line_breaks(tmp_path, jaworzno):
    export = dict(EXPORT)
    export["odbiorcy.csv"] = ["kod;nazwa;ulica", '77;"Kowalski; Nowak \\ s.c.\tzakład";"ul. Długa 1\r\nlokal 2"']
    run_import(write_export(tmp_path, export, only={"odbiorcy.csv"}))
    customer = Customer.objects.get(number="000077")
    assert customer.name == "Kowalski; Nowak \\ s.c.\tzakład"
    assert customer.street == "ul. Długa 1\r\nlokal 2"


def test_windows_1250_with_polish_letters(tmp_path, jaworzno):
    export = changed("odbiorcy.csv", 3, "nazwa", "Wspólnota Mieszkaniowa Źródlana — Łąkowa, Żółć")
    run_import(write_export(tmp_path, export, encoding="cp1250"))
    assert Customer.objects.get(sub_code="0001").name == "Wspólnota Mieszkaniowa Źródlana — Łąkowa, Żółć"
    assert ImportRun.objects.get().files[0]["encoding"] == "cp1250"


def test_utf8_without_bom_and_a_forced_encoding(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "a", encoding="utf-8"))
    assert Customer.objects.get(sub_code="0000").name.startswith("Spółdzielnia")
    with pytest.raises(CommandError):
        run_import(write_export(tmp_path / "b", encoding="cp1250"), "--encoding", "utf-8")


@pytest.mark.parametrize(
    ("name", "line", "column", "value", "expected"),
    [
        ("odbiorcy.csv", 2, "kod", "1234567", "odbiorcy.csv:2: kod: numer odbiorcy to od 1 do 6 cyfr"),
        ("odbiorcy.csv", 2, "nip", "632-000-00-69", "odbiorcy.csv:2: nip: nieprawidłowy NIP"),
        ("odbiorcy.csv", 2, "kod_pocztowy", "43600", "odbiorcy.csv:2: kod_pocztowy: kod pocztowy ma postać NN-NNN"),
        ("odbiorcy.csv", 2, "aktywny", "X", "odbiorcy.csv:2: aktywny: nieznana wartość „X”"),
        ("odbiorcy.csv", 2, "nazwa", "", "odbiorcy.csv:2: nazwa: brak wartości w wymaganej kolumnie"),
        ("odbiorcy.csv", 3, "pododbiorca", "", "odbiorcy.csv:3: kod: powtórzony klucz (001234, 0000)"),
        ("punkty.csv", 2, "moc_zamowiona_mw", "0,12345", "punkty.csv:2: moc_zamowiona_mw: „0,12345”: najwyżej 4"),
        ("punkty.csv", 2, "moc_zamowiona_mw", "-1", "punkty.csv:2: moc_zamowiona_mw: „-1”: wartość nie może"),
        ("punkty.csv", 2, "kod", "9999", "punkty.csv:2: kod: nieznany odbiorca 009999-0000"),
        ("punkty.csv", 3, "punkt", "W-0101", "punkty.csv:3: punkt: powtórzony klucz (W-0101)"),
        ("odczyty.csv", 4, "punkt", "W-9999", "odczyty.csv:4: punkt: nieznany punkt W-9999"),
        ("odczyty.csv", 2, "data_od", "31.02.2026", "odczyty.csv:2: data_od: nie ma takiego dnia: „31.02.2026”"),
        ("odczyty.csv", 2, "data_od", "2026/10/01", "odczyty.csv:2: data_od: nieprawidłowa data"),
        ("odczyty.csv", 2, "data_do", "30.09.2026", "odczyty.csv:2: data_od: data_od jest późniejsza niż data_do"),
        ("odczyty.csv", 2, "zuzycie_gj", "dużo", "odczyty.csv:2: zuzycie_gj: nieprawidłowa liczba „dużo”"),
        ("odczyty.csv", 2, "zuzycie_gj", "1,2345", "odczyty.csv:2: zuzycie_gj: „1,2345”: najwyżej 3 cyfry"),
        ("odczyty.csv", 2, "zuzycie_gj", "1.234,5", "odczyty.csv:2: zuzycie_gj: nieprawidłowa liczba"),
        ("odczyty.csv", 3, "data_od", "15.10.2026", "odczyty.csv:3: data_od: okres"),
        (
            "odczyty.csv",
            4,
            "punkt",
            "W-0101",
            "odczyty.csv:4: data_od: powtórzony klucz (W-0101, 2026-11-01, 2026-11-30)",
        ),
        ("odczyty.csv", 2, "rodzaj", "X", "odczyty.csv:2: rodzaj: nieznana wartość „X” (dozwolone: R, S)"),
        ("faktury.csv", 2, "brutto", "1 231,00", "faktury.csv:2: brutto: brutto 1231.00 nie równa się"),
        ("faktury.csv", 2, "numer_ksef", KSEF[:-2] + "A6", "faktury.csv:2: numer_ksef: nieprawidłowy numer KSeF"),
        ("faktury.csv", 2, "numer_ksef", "5265877635-2025", "faktury.csv:2: numer_ksef: nieprawidłowy numer KSeF"),
        ("faktury.csv", 2, "rachunek", ACCOUNT[:-1] + "1", "faktury.csv:2: rachunek: nieprawidłowy numer rachunku"),
        ("faktury.csv", 2, "termin_platnosci", "", "faktury.csv:2: termin_platnosci: brak wartości"),
        ("faktury.csv", 2, "netto", "1000,001", "faktury.csv:2: netto: „1000,001”: najwyżej 2 cyfry"),
        ("faktury.csv", 3, "korygowana", "FV/2026/11/9999", "faktury.csv:3: korygowana: nieznana faktura korygowana"),
        ("faktury.csv", 3, "korygowana", "", "faktury.csv:3: korygowana: faktura korygująca (KOR) musi podać"),
        ("faktury.csv", 3, "pododbiorca", "1", "faktury.csv:3: korygowana: faktura korygowana FV/2026/11/0001 należy"),
        ("faktury.csv", 3, "numer_ksef", KSEF, "faktury.csv:3: numer_ksef: powtórzony klucz"),
        ("faktury.csv", 3, "numer", "FV/2026/11/0001", "faktury.csv:3: korygowana: faktura nie może korygować samej"),
        ("pozycje.csv", 3, "wartosc_netto", "197,76", "faktury.csv:2: netto: pozycje faktury FV/2026/11/0001 (2)"),
        ("pozycje.csv", 4, "numer", "KOR/2026/11/0002", "pozycje.csv:4: numer: nieznana faktura KOR/2026/11/0002"),
        ("pozycje.csv", 3, "stawka_vat", "22", "pozycje.csv:3: stawka_vat: nieznana wartość „22”"),
        ("pozycje.csv", 3, "lp", "1", "pozycje.csv:3: numer: powtórzony klucz (FV/2026/11/0001, 1)"),
        ("pozycje.csv", 3, "lp", "0", "pozycje.csv:3: lp: liczba porządkowa to liczba całkowita od 1"),
        ("wplaty.csv", 2, "kwota", "0,00", "wplaty.csv:2: kwota: „0,00”: wartość musi być większa od zera"),
        ("wplaty.csv", 3, "numer_faktury", "FV/2026/11/0001", "wplaty.csv:3: numer_faktury: faktura FV/2026/11/0001"),
        ("wplaty.csv", 3, "numer_faktury", "FV/1", "wplaty.csv:3: numer_faktury: nieznana faktura FV/1"),
        ("wplaty.csv", 3, "id", "100001", "wplaty.csv:3: id: powtórzony klucz (100001)"),
        ("wplaty.csv", 3, "kod", "4321", "wplaty.csv:3: kod: nieznany odbiorca 004321-0001"),
    ],
)
def test_each_rule_rejects_the_whole_run(tmp_path, jaworzno, name, line, column, value, expected):
    with pytest.raises(CommandError, match="Import odrzucony"):
        run_import(write_export(tmp_path, changed(name, line, column, value)))
    assert counts() == [0] * len(MODELS)
    run = ImportRun.objects.get()
    assert run.result == ImportRun.Result.FAILED
    assert expected in run.errors, run.errors


def test_problems_are_printed_as_file_line_column_message(tmp_path, jaworzno):
    err = refused(write_export(tmp_path, changed("odczyty.csv", 2, "zuzycie_gj", "dużo")))
    assert err.splitlines()[0] == "odczyty.csv:2: zuzycie_gj: nieprawidłowa liczba „dużo” (np. 1 234,56 albo 1234.56)"


def test_a_missing_required_column_and_a_row_of_the_wrong_width(tmp_path, jaworzno):
    export = dict(EXPORT)
    export["punkty.csv"] = ["punkt;kod;grupa_taryfowa", "W-0101;1234;A1"]
    export["odczyty.csv"] = [*EXPORT["odczyty.csv"], "W-0101;01.12.2026;31.12.2026;1;2"]
    export["wplaty.csv"] = [*EXPORT["wplaty.csv"], "100003;1234;;01.12.2026"]
    err = refused(write_export(tmp_path, export))
    assert "punkty.csv:1: adres: brak wymaganej kolumny w nagłówku" in err
    assert "odczyty.csv:5: -: wiersz ma 5 pól, a nagłówek 6" in err
    assert "wplaty.csv:4: -: wiersz ma 4 pola, a nagłówek 7" in err


def test_the_first_100_problems_and_then_a_count(tmp_path, jaworzno):
    export = dict(EXPORT)
    export["odczyty.csv"] = [EXPORT["odczyty.csv"][0]] + [f"W-0101;01.10.2026;31.10.2026;;x{n};R" for n in range(150)]
    lines = refused(write_export(tmp_path, export)).splitlines()
    assert len(lines) == 101
    assert lines[99].startswith("odczyty.csv:101: zuzycie_gj:")
    assert lines[100] == "… i 50 kolejnych błędów (razem 150)."
    assert ImportRun.objects.get().error_count == 150


def test_an_error_in_the_last_row_of_the_last_file_leaves_nothing(tmp_path, jaworzno):
    export = changed("wplaty.csv", len(EXPORT["wplaty.csv"]), "kod", "4321")
    err = refused(write_export(tmp_path, export))
    assert err.splitlines() == ["wplaty.csv:3: kod: nieznany odbiorca 004321-0001"]
    assert counts() == [0] * len(MODELS)


def test_a_database_failure_while_writing_leaves_nothing(tmp_path, jaworzno, monkeypatch):
    def fail(*args, **kwargs):
        raise run_module.DatabaseError("connection lost")

    original = run_module.write_file
    calls = []

    def write_then_fail(export_file, **kwargs):
        calls.append(export_file.name)
        if export_file.name == "wplaty.csv":
            fail()
        return original(export_file, **kwargs)

    monkeypatch.setattr(run_module, "write_file", write_then_fail)
    with pytest.raises(run_module.DatabaseError):
        run_import(write_export(tmp_path))
    assert calls[-1] == "wplaty.csv"
    assert counts() == [0] * len(MODELS)
    assert ImportRun.objects.get().result == ImportRun.Result.FAILED


def test_a_second_import_changes_nothing_and_says_so(tmp_path, jaworzno):
    folder = write_export(tmp_path)
    run_import(folder)
    stamps = list(Customer.objects.values_list("updated_at", flat=True))
    out, _ = run_import(folder)
    assert f"Import zakończony: utworzono 0, zmieniono 0, bez zmian {ROWS}." in out
    assert list(Customer.objects.values_list("updated_at", flat=True)) == stamps
    assert counts() == [2, 2, 3, 2, 3, 2]


def test_changes_update_rows_and_missing_rows_are_kept(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first"))
    export = changed("odbiorcy.csv", 2, "nazwa", "SM Zgoda")
    export = changed("odczyty.csv", 4, "zuzycie_gj", "8,000", export)
    export["odczyty.csv"] = export["odczyty.csv"][:1] + export["odczyty.csv"][3:]  # the W-0101 rows are gone
    out, _ = run_import(write_export(tmp_path / "second", export))
    assert "odbiorcy.csv: 2 wiersze — utworzono 0, zmieniono 1, bez zmian 1" in out
    assert "odczyty.csv: 1 wiersz — utworzono 0, zmieniono 1, bez zmian 0" in out
    assert Customer.objects.get(sub_code="0000").name == "SM Zgoda"
    assert ConsumptionReading.objects.count() == 3
    assert ConsumptionReading.objects.get(point__identifier="W-0102").consumption_gj == Decimal("8")


def test_it_never_touches_email_consent_or_password(tmp_path, jaworzno):
    from accounts.models import User

    run_import(write_export(tmp_path / "first"))
    customer = Customer.objects.get(sub_code="0000")
    customer.email, customer.email_requested_on = "zarzad@sm-zgoda.example", datetime.date(2026, 10, 1)
    customer.einvoice_consent = True
    customer.save()
    user = User.objects.for_customer(customer)
    user.set_password("tajne hasło 123")
    user.save()
    run_import(write_export(tmp_path / "second", changed("odbiorcy.csv", 2, "nazwa", "SM Zgoda")))
    customer.refresh_from_db()
    user.refresh_from_db()
    assert customer.name == "SM Zgoda"
    assert (customer.email, customer.email_requested_on, customer.einvoice_consent) == (
        "zarzad@sm-zgoda.example",
        datetime.date(2026, 10, 1),
        True,
    )
    assert user.check_password("tajne hasło 123")


def test_an_issued_invoice_does_not_change(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first"))
    export = changed("faktury.csv", 2, "termin_platnosci", "25.11.2026")
    err = refused(write_export(tmp_path / "second", export))
    assert err.splitlines() == [
        "faktury.csv:2: numer: faktura FV/2026/11/0001 jest już wystawiona i nie może się zmienić "
        "(różni się: termin_platnosci)"
    ]
    assert Invoice.objects.get(number="FV/2026/11/0001").due_date == datetime.date(2026, 11, 18)


def test_an_issued_invoice_keeps_its_lines(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first"))
    export = dict(EXPORT)
    export["pozycje.csv"] = [*EXPORT["pozycje.csv"], "FV/2026/11/0001;3;Opłata dodatkowa;;;;0,00;23"]
    err = refused(write_export(tmp_path / "second", changed("pozycje.csv", 2, "nazwa", "Ciepło", export)))
    assert "pozycje.csv:2: lp: pozycja 1 wystawionej faktury FV/2026/11/0001 nie może się zmienić" in err
    assert "pozycje.csv:5: lp: faktura FV/2026/11/0001 jest już wystawiona: nie można dodać do niej pozycji 3" in err


def test_an_empty_ksef_number_may_be_filled_in_later(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first", changed("faktury.csv", 2, "numer_ksef", "")))
    assert Invoice.objects.get(number="FV/2026/11/0001").ksef_number == ""
    out, _ = run_import(write_export(tmp_path / "second"))
    assert "faktury.csv: 2 wiersze — utworzono 0, zmieniono 1, bez zmian 1" in out
    assert Invoice.objects.get(number="FV/2026/11/0001").ksef_number == KSEF
    # ...but once there, it does not change.
    other = KSEF[:-5] + "A2-AC"
    err = refused(write_export(tmp_path / "third", changed("faktury.csv", 2, "numer_ksef", other)))
    assert "(różni się: numer_ksef)" in err


def test_later_files_may_refer_to_the_database(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first", only={"odbiorcy.csv", "punkty.csv"}))
    out, _ = run_import(write_export(tmp_path / "second", only={"odczyty.csv", "faktury.csv", "pozycje.csv"}))
    assert "odczyty.csv: 3 wiersze — utworzono 3" in out
    assert Invoice.objects.count() == 2


def test_a_reading_overlapping_one_in_the_database(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first"))
    export = {
        "odczyty.csv": [EXPORT["odczyty.csv"][0], "W-0101;15.10.2026;14.11.2026;;3;R"],
    }
    err = refused(write_export(tmp_path / "second", export))
    assert err.splitlines() == [
        "odczyty.csv:2: data_od: okres 2026-10-15–2026-11-14 punktu W-0101 nakłada się na inny okres tego punktu"
    ]


def test_an_invoice_of_the_other_region_is_unknown(tmp_path, jaworzno, bedzin):
    run_import(write_export(tmp_path / "first"))
    err = refused(write_export(tmp_path / "second", only={"pozycje.csv"}), region="bedzin-czeladz-sosnowiec")
    assert "pozycje.csv:2: numer: nieznana faktura FV/2026/11/0001" in err


def test_dry_run_checks_and_counts_but_writes_nothing(tmp_path, jaworzno):
    out, _ = run_import(write_export(tmp_path), "--dry-run")
    assert f"Próba (--dry-run), nic nie zapisano: utworzono {ROWS}, zmieniono 0, bez zmian 0." in out
    assert counts() == [0] * len(MODELS)
    assert ImportRun.objects.get().result == ImportRun.Result.DRY_RUN


def test_every_run_is_recorded_with_its_files(tmp_path, jaworzno):
    import hashlib

    folder = write_export(tmp_path)
    run_import(folder)
    run = ImportRun.objects.get()
    assert (run.kind, run.region, run.result, run.created) == ("csv", jaworzno, "ok", ROWS)
    assert [item["name"] for item in run.files] == list(EXPORT)
    first = run.files[0]
    raw = (folder / "odbiorcy.csv").read_bytes()
    assert (first["sha256"], first["size"], first["rows"]) == (hashlib.sha256(raw).hexdigest(), len(raw), 2)
    assert run.started_by
    assert run.finished_at >= run.started_at


def test_a_bad_region_or_folder(tmp_path, jaworzno):
    with pytest.raises(CommandError, match="nie ma regionu „gliwice”"):
        run_import(tmp_path, region="gliwice")
    with pytest.raises(CommandError, match="Nie ma folderu"):
        run_import(tmp_path / "nowhere")
    with pytest.raises(CommandError, match="Import odrzucony"):
        run_import(tmp_path)
    assert "nie ma żadnego z plików eksportu" in ImportRun.objects.get().errors


def test_a_second_run_refuses_while_the_first_holds_the_lock(committed_regions, transactional_db, tmp_path):
    first_is_writing, may_finish = threading.Event(), threading.Event()
    original = run_module.write_file
    outcome = {}

    def slow_write(export_file, **kwargs):
        first_is_writing.set()
        may_finish.wait(10)
        return original(export_file, **kwargs)

    def first_run():
        try:
            outcome["out"] = run_import(write_export(tmp_path / "first"))[0]
        except BaseException as error:  # reported to the main thread below
            outcome["error"] = error
        finally:
            connection.close()

    run_module.write_file = slow_write
    try:
        thread = threading.Thread(target=first_run)
        thread.start()
        assert first_is_writing.wait(10)
        run_module.write_file = original
        with pytest.raises(CommandError, match="Trwa inny import danych"):
            run_import(write_export(tmp_path / "second"))
    finally:
        run_module.write_file = original
        may_finish.set()
        thread.join(20)
    assert "error" not in outcome, outcome.get("error")
    assert "Import zakończony" in outcome["out"]
    assert Customer.objects.count() == 2
    assert ImportRun.objects.count() == 1


def test_runs_are_listed_read_only_in_the_admin(tmp_path, jaworzno, admin_client):
    run_import(write_export(tmp_path))
    run = ImportRun.objects.get()
    listing = admin_client.get("/admin/customers/importrun/")
    assert listing.status_code == 200
    assert "Jaworzno" in listing.content.decode()
    page = admin_client.get(f"/admin/customers/importrun/{run.pk}/change/").content.decode()
    assert run.files[0]["sha256"] in page
    assert 'name="_save"' not in page
    assert admin_client.get("/admin/customers/importrun/add/").status_code == 403


def test_new_invoices_get_version_4_uuids_and_their_pdfs_are_queued_with_the_import(tmp_path, jaworzno):
    import uuid

    from django_tasks_db.models import DBTaskResult

    folder = write_export(tmp_path)
    run_import(folder, "--dry-run")
    assert not DBTaskResult.objects.exists()  # a dry run queues nothing
    run_import(folder)
    public_ids = sorted(str(public_id) for public_id in Invoice.objects.values_list("public_id", flat=True))
    assert all(uuid.UUID(public_id).version == 4 for public_id in public_ids)
    assert all(uuid.UUID(public_id).variant == uuid.RFC_4122 for public_id in public_ids)
    tasks = DBTaskResult.objects.all()
    assert [task.task_path for task in tasks] == ["invoices.tasks.render_invoice_pdfs"]
    assert sorted(tasks[0].args_kwargs["args"][0]) == public_ids
    run_import(folder)
    assert DBTaskResult.objects.count() == 1  # an unchanged import creates no invoice and queues nothing


def test_a_refused_import_queues_no_pdf(tmp_path, jaworzno):
    from django_tasks_db.models import DBTaskResult

    with pytest.raises(CommandError):
        run_import(write_export(tmp_path, changed("wplaty.csv", 3, "id", "100001")))
    assert not DBTaskResult.objects.exists()


def queued_renders():
    from django_tasks_db.models import DBTaskResult

    return {public_id for task in DBTaskResult.objects.all() for public_id in task.args_kwargs["args"][0]}


def as_if_rendered():
    """Every invoice has a stored PDF and nothing is queued, as after the worker did its job."""
    from django_tasks_db.models import DBTaskResult

    Invoice.objects.update(pdf="invoices/2026/11/stored.pdf")
    DBTaskResult.objects.all().delete()


def without_correction():
    export = {name: list(rows) for name, rows in EXPORT.items()}
    export["faktury.csv"] = [row for row in export["faktury.csv"] if not row.startswith("KOR/")]
    export["pozycje.csv"] = [row for row in export["pozycje.csv"] if not row.startswith("KOR/")]
    return export


def test_a_filled_in_ksef_number_gets_the_invoice_a_new_pdf(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first", changed("faktury.csv", 2, "numer_ksef", "")))
    as_if_rendered()
    run_import(write_export(tmp_path / "second"))
    invoice = Invoice.objects.get(number="FV/2026/11/0001")
    assert invoice.pdf.name == ""  # it printed OFFLINE under the code
    assert queued_renders() == {str(invoice.public_id)}
    assert Invoice.objects.get(number="KOR/2026/11/0001").pdf.name != ""


def test_a_new_correction_gets_the_corrected_invoice_a_new_pdf(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first", without_correction()))
    as_if_rendered()
    run_import(write_export(tmp_path / "second"))
    invoice, correction = Invoice.objects.get(kind="VAT"), Invoice.objects.get(kind="KOR")
    assert invoice.pdf.name == ""  # its PDF names its corrections
    assert queued_renders() == {str(invoice.public_id), str(correction.public_id)}


def test_invoices_keep_the_buyer_as_issued_and_need_no_new_pdf_when_it_changes(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first"))
    invoice = Invoice.objects.get(number="FV/2026/11/0001")
    assert (invoice.buyer_name, invoice.buyer_nip, invoice.buyer_street, invoice.buyer_city) == (
        'Spółdzielnia Mieszkaniowa "Zgoda"',
        "6320000068",
        "ul. Grunwaldzka 12",
        "Jaworzno",
    )
    as_if_rendered()
    run_import(write_export(tmp_path / "first"))
    assert queued_renders() == set()
    run_import(write_export(tmp_path / "second", changed("odbiorcy.csv", 2, "ulica", "ul. Grunwaldzka 12a")))
    assert Customer.objects.get(number="001234", sub_code="0000").street == "ul. Grunwaldzka 12a"
    invoice.refresh_from_db()
    assert invoice.buyer_street == "ul. Grunwaldzka 12"  # as issued
    assert invoice.pdf.name != ""
    assert queued_renders() == set()


def test_invoices_keep_the_seller_as_issued_when_the_region_is_edited(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first", without_correction()))
    issued = Invoice.seller_copy(jaworzno)
    assert Invoice.objects.values(*Invoice.SELLER_FIELDS).get(number="FV/2026/11/0001") == issued
    jaworzno.seller_name = "Nowa Nazwa S.A."
    jaworzno.seller_street = "ul. Inna 1"
    jaworzno.save()
    run_import(write_export(tmp_path / "second"))  # the correction, issued after the edit
    assert Invoice.objects.values(*Invoice.SELLER_FIELDS).get(number="FV/2026/11/0001") == issued
    assert Invoice.objects.get(kind="KOR").seller_name == "Nowa Nazwa S.A."


def test_a_point_cannot_move_to_another_customer(tmp_path, jaworzno):
    run_import(write_export(tmp_path / "first"))
    moved = write_export(tmp_path / "second", changed("punkty.csv", 2, "pododbiorca", "1"), only={"punkty.csv"})
    err = refused(moved)
    assert "punkty.csv:2: kod: punkt W-0101 należy do odbiorcy 001234-0000; nie może przejść do 001234-0001" in err
    assert MeteringPoint.objects.get(identifier="W-0101").customer.sub_code == "0000"


@pytest.mark.parametrize(
    ("name", "line", "column"), [("odbiorcy.csv", 2, "ulica"), ("odczyty.csv", 3, "punkt"), ("wplaty.csv", 2, "tytul")]
)
def test_a_control_character_in_a_text_cell_is_an_error_not_a_crash(tmp_path, jaworzno, name, line, column):
    original = EXPORT[name][line - 1].split(";")[EXPORT[name][0].split(";").index(column)]
    err = refused(write_export(tmp_path, changed(name, line, column, original + "\x00")))
    assert f"{name}:{line}: {column}: niedozwolony znak sterujący U+0000" in err
    assert counts() == [0] * len(MODELS)
