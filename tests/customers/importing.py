"""A small, valid billing export for import tests, written file by file so a test can break one cell."""

import io

import pytest
from django.core.management import CommandError, call_command

ACCOUNT = "08124013301000000012340000"
KSEF = "6320000068-20261104-0000000000A1-A5"

EXPORT = {
    "odbiorcy.csv": [
        "kod;pododbiorca;nazwa;nip;ulica;kod_pocztowy;miejscowosc;telefon;aktywny",
        '1234;;"Spółdzielnia Mieszkaniowa ""Zgoda""";632-000-00-68;ul. Grunwaldzka 12;43-600;Jaworzno;32 111 22 33;T',
        "1234;1;SM Zgoda — budynek B;;ul. Grunwaldzka 14;43-600;Jaworzno;;",
    ],
    "punkty.csv": [
        "punkt;kod;pododbiorca;adres;grupa_taryfowa;moc_zamowiona_mw",
        "W-0101;1234;0000;ul. Grunwaldzka 12, Jaworzno;A1;0,2500",
        "W-0102;1234;1;ul. Grunwaldzka 14, Jaworzno;B2;0.1",
    ],
    "odczyty.csv": [
        "punkt;data_od;data_do;stan_licznika_gj;zuzycie_gj;rodzaj",
        "W-0101;01.10.2026;31.10.2026;1 234,500;12,500;R",
        "W-0101;2026-11-01;2026-11-30;\u00a01\u00a0260,000;25.5;S",
        "W-0102;01.11.2026;30.11.2026;;7,125;",
    ],
    "faktury.csv": [
        "numer;kod;pododbiorca;data_wystawienia;okres_od;okres_do;termin_platnosci;netto;vat;brutto;rodzaj;"
        "korygowana;numer_ksef;rachunek",
        f"FV/2026/11/0001;1234;0;04.11.2026;01.10.2026;31.10.2026;18.11.2026;1 000,00;230,00;1 230,00;VAT;;{KSEF};"
        "08 1240 1330 1000 0000 1234 0000",
        "KOR/2026/11/0001;1234;;2026-11-20;2026-10-01;2026-10-31;2026-12-04;-10,00;-2,30;-12,30;KOR;FV/2026/11/0001;;",
    ],
    "pozycje.csv": [
        "numer;lp;nazwa;jm;ilosc;cena_netto;wartosc_netto;stawka_vat",
        "FV/2026/11/0001;1;Opłata za ciepło;GJ;12,5;64,18000000;802,25;23",
        "FV/2026/11/0001;2;Opłata za zamówioną moc cieplną;MW;0,25;791,00;197,75;23",
        "KOR/2026/11/0001;1;Korekta ceny ciepła;GJ;12,5;-0,8;-10,00;23",
    ],
    "wplaty.csv": [
        "id;kod;pododbiorca;data;kwota;tytul;numer_faktury",
        "100001;1234;0000;10.11.2026;1 230,00;Zapłata za FV/2026/11/0001;FV/2026/11/0001",
        "100002;1234;1;12.11.2026;50;Nadpłata;",
    ],
}


def write_export(folder, export=None, *, encoding="utf-8-sig", only=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (export or EXPORT).items():
        if only is None or name in only:
            (folder / name).write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")
    return folder


def changed(name, line, column, value, export=None):
    """A copy of the export with one cell replaced (line as in the file: the header is line 1)."""
    export = {key: list(rows) for key, rows in (export or EXPORT).items()}
    header = export[name][0].split(";")
    cells = export[name][line - 1].split(";")
    cells[header.index(column)] = value
    export[name][line - 1] = ";".join(cells)
    return export


def run_import(folder, *args, region="jaworzno"):
    """(stdout, stderr) of import_billing; raises CommandError when the run is refused."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_billing", str(folder), "--region", region, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(folder, *, region="jaworzno"):
    """The problems import_billing printed while refusing the folder."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="Import odrzucony"):
        call_command("import_billing", str(folder), "--region", region, stderr=err)
    return err.getvalue()
