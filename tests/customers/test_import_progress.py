"""The import's progress bar shows on a terminal only; the summary line is always printed."""

import io

from customers.importer.progress import Progress
from tests.customers.importing import EXPORT, run_import, write_export


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_with_rows_per_second_and_eta_on_a_terminal():
    screen = Terminal()
    progress = Progress(screen)
    progress.start("odczyty.csv", 1000)
    progress.update(25_000, 500, force=True)
    progress.finish(50_000)
    text = screen.getvalue()
    assert "odczyty.csv" in text
    assert " 50%" in text
    assert "25 000 wierszy" in text
    assert "w/s ETA " in text
    assert text.endswith("\n")


def test_nothing_when_the_output_is_not_a_terminal():
    output = io.StringIO()
    progress = Progress(output)
    progress.start("odczyty.csv", 1000)
    progress.update(10, 500, force=True)
    progress.finish(10)
    assert output.getvalue() == ""


def test_the_summary_line_without_a_terminal(tmp_path, jaworzno):
    out, _ = run_import(write_export(tmp_path, only={"odbiorcy.csv"}))
    rows = len(EXPORT["odbiorcy.csv"]) - 1
    assert out.splitlines()[-1] == f"Import zakończony: utworzono {rows}, zmieniono 0, bez zmian 0."
    assert "\r" not in out
