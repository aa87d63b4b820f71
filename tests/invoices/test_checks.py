"""The system check that says when PDFs cannot be made. Each test sets up the libraries it checks
(tests/environment.py), so they pass alike on a machine with Pango and HarfBuzz-Subset and on one without."""

import builtins

from django.utils import translation

from invoices.checks import weasyprint_can_load
from tests.environment import weasyprint_stand_in


def test_no_warning_where_weasyprint_loads(monkeypatch):
    weasyprint_stand_in(monkeypatch, harfbuzz_subset=True)
    assert weasyprint_can_load(None) == []


def test_a_missing_pango_is_named_with_the_package_to_install(monkeypatch):
    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    [warning] = weasyprint_can_load(None)
    assert warning.id == "invoices.W001"
    assert "libpango-1.0-0" in warning.msg
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in warning.hint


def test_a_missing_harfbuzz_subset_is_named_with_the_package_to_install(monkeypatch):
    weasyprint_stand_in(monkeypatch, harfbuzz_subset=False)
    [warning] = weasyprint_can_load(None)
    assert warning.id == "invoices.W002"
    assert "apt-get install libharfbuzz-subset0" in warning.hint


def test_the_warning_comes_in_the_language_active_when_the_checks_run(monkeypatch):
    weasyprint_stand_in(monkeypatch, harfbuzz_subset=False)
    with translation.override("en"):
        [warning] = weasyprint_can_load(None)
    assert warning.msg.startswith("PDFs are made more slowly")
    assert warning.hint.startswith("Install HarfBuzz-Subset")
    [warning] = weasyprint_can_load(None)
    assert warning.msg.startswith("PDF powstają wolniej")
