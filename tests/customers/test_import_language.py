"""The importer speaks the active language: Polish by default (commands run in LANGUAGE_CODE), English when a
caller switches to it; the run's record keeps the report as it was shown."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from customers.importer.cells import CellError, decimal_parser, parse_date, text_parser
from customers.importer.lock import import_lock
from customers.models import ImportRun
from tests.customers.importing import EXPORT, changed, write_export

# A cell's problem and a row rule's; broken_export adds an unknown column (a warning).
BROKEN = [
    ("odczyty.csv", 2, "zuzycie_gj", "dużo"),
    ("faktury.csv", 3, "korygowana", ""),
]


def broken_export(folder):
    export = EXPORT
    for name, line, column, value in BROKEN:
        export = changed(name, line, column, value, export)
    export["odbiorcy.csv"] = [
        export["odbiorcy.csv"][0] + ";uwagi",
        *(f"{row};-" for row in export["odbiorcy.csv"][1:]),
    ]
    return write_export(folder, export)


def import_billing(folder):
    """(the CommandError's message, stdout + stderr) of a refused run of import_billing."""
    out = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_billing", str(folder), "--region", "jaworzno", stdout=out, stderr=out)
    return str(refusal.value), out.getvalue()


def test_it_reports_the_problems_in_polish_by_default(tmp_path, jaworzno):
    summary, printed = import_billing(broken_export(tmp_path))
    assert summary == "Import odrzucony: 2 błędy, nic nie zapisano."
    assert "Uwaga: odbiorcy.csv: nieznana kolumna „uwagi” — pomijam ją" in printed
    run = ImportRun.objects.get()
    assert run.errors.splitlines() == [
        "odczyty.csv:2: zuzycie_gj: nieprawidłowa liczba „dużo” (np. 1 234,56 albo 1234.56)",
        "faktury.csv:3: korygowana: faktura korygująca (KOR) musi podać numer faktury korygowanej",
    ]
    assert run.warnings == "odbiorcy.csv: nieznana kolumna „uwagi” — pomijam ją"


def test_it_reports_the_problems_in_english_when_english_is_active(tmp_path, jaworzno):
    with translation.override("en"):
        summary, printed = import_billing(broken_export(tmp_path))
    assert summary == "Import refused: 2 errors, nothing saved."
    assert "Warning: odbiorcy.csv: unknown column “uwagi” — skipped" in printed
    assert ImportRun.objects.get().errors.splitlines() == [
        "odczyty.csv:2: zuzycie_gj: invalid number “dużo” (e.g. 1 234,56 or 1234.56)",
        "faktury.csv:3: korygowana: a corrective invoice (KOR) must give the number of the corrected invoice",
    ]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_checks_across_files_speak_the_callers_language(tmp_path, jaworzno, language):
    """On PostgreSQL outside a transaction these run in a thread of their own; here in the caller's."""
    expected = {
        "pl": "wplaty.csv:3: kod: nieznany odbiorca 004321-0001",
        "en": "wplaty.csv:3: kod: unknown customer 004321-0001",
    }[language]
    with translation.override(language):
        import_billing(write_export(tmp_path, changed("wplaty.csv", 3, "kod", "4321")))
    assert ImportRun.objects.get().errors == expected


@pytest.mark.parametrize(
    ("errors", "summary"),
    [
        (1, "Import odrzucony: 1 błąd, nic nie zapisano."),
        (2, "Import odrzucony: 2 błędy, nic nie zapisano."),
        (5, "Import odrzucony: 5 błędów, nic nie zapisano."),
        (22, "Import odrzucony: 22 błędy, nic nie zapisano."),
    ],
)
def test_the_summary_counts_the_errors_in_the_right_polish_form(tmp_path, jaworzno, errors, summary):
    readings = [EXPORT["odczyty.csv"][0]] + [f"W-0101;01.10.2026;31.10.2026;;x{n};R" for n in range(errors)]
    assert import_billing(write_export(tmp_path, {"odczyty.csv": readings}))[0] == summary
    assert ImportRun.objects.get().error_count == errors


@pytest.mark.parametrize(
    ("parse", "text", "polish", "english"),
    [
        (decimal_parser(8, 3, "0"), "1,2345", "„1,2345”: najwyżej 3 cyfry po przecinku", "at most 3 digits after"),
        (decimal_parser(3, 1, "0"), "1,25", "„1,25”: najwyżej 1 cyfra po przecinku", "at most 1 digit after"),
        (decimal_parser(7, 2, "0"), "123456,5", "za duża liczba (najwyżej 5 cyfr przed", "at most 5 digits before"),
        (text_parser(3), "abcde", "za długi tekst: 5 znaków, najwyżej 3", "text too long: 5 characters, at most 3"),
        (text_parser(1), "ab", "za długi tekst: 2 znaki, najwyżej 1", "text too long: 2 characters, at most 1"),
        (parse_date, "31.02.2026", "nie ma takiego dnia: „31.02.2026”", "no such day: “31.02.2026”"),
    ],
)
def test_a_cells_problem_comes_in_the_active_language_with_its_count_in_the_right_form(parse, text, polish, english):
    for language, expected in (("pl", polish), ("en", english)):
        with translation.override(language), pytest.raises(CellError) as problem:
            parse(text)
        assert expected in str(problem.value), language


@pytest.mark.skipif(connection.vendor == "postgresql", reason="one session may take its advisory lock twice")
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pl", "Trwa inny import danych (blokada importu jest zajęta). Spróbuj ponownie, gdy się zakończy."),
        ("en", "Another data import is running (the import lock is taken). Try again when it has finished."),
    ],
)
def test_a_busy_import_lock_refuses_in_the_language_active_when_it_refuses(db, language, expected):
    held, second = import_lock(connection=connection), import_lock(connection=connection)
    with held, translation.override(language), pytest.raises(CommandError) as busy, second:
        pass
    assert str(busy.value) == expected


def test_a_missing_folder_is_named_in_the_active_language(tmp_path, jaworzno):
    with translation.override("en"), pytest.raises(CommandError, match="There is no folder"):
        call_command("import_billing", str(tmp_path / "nowhere"), "--region", "jaworzno")
    with pytest.raises(CommandError, match="Nie ma folderu"):
        call_command("import_billing", str(tmp_path / "nowhere"), "--region", "jaworzno")
