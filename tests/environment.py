"""What the test suite may assume about the machine it runs on, and how it says what is missing.

Two kinds of test touch the machine's own libraries and programs:

- Tests *of* an environment check (invoices/checks.py, `check --deploy`) set up the environment they check
  themselves (`weasyprint_stand_in`, `PDF_LIBRARIES_LOAD`): they pass the same with and without Pango or
  HarfBuzz-Subset installed.
- Tests that genuinely *need* a library or a program (WeasyPrint making a PDF, pdftotext reading one back)
  are skipped on a developer's machine without it, with the package to install as the reason. In CI
  (CI=true) they are never skipped: .ci/run installs everything they need, and a skip there would hide a
  missing install step. That is the rule of the browser tests (tests/browser/conftest.py, Chromium and Java).

Tests that make PDFs are many and scattered (views, the worker, the imports, e-mails with an invoice
attached), so they are not marked one by one: while a test runs, a watcher notes whether it asked Python for
WeasyPrint, and a failure of a test that did, on a machine where WeasyPrint cannot load, is reported as a
skip with that reason (`pytest_runtest_makereport` below, used by tests/conftest.py); so is one whose
expected behaviour needs it (an import queues PDF renders only where WeasyPrint loads, invoices.pdf.available).
A test that fails without having asked for WeasyPrint still fails.
"""

import importlib.abc
import os
import shutil
import sys
import types

import pytest

IN_CI = bool(os.environ.get("CI"))
PANGO_PACKAGES = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
NO_PDF_LIBRARIES = f"WeasyPrint cannot load Pango on this machine ({PANGO_PACKAGES}): the test makes a PDF"


def _weasyprint_loads():
    try:
        import weasyprint  # noqa: F401 - loading it is the question: it needs Pango from the system
    except (ImportError, OSError):
        return False
    return True


PDF_LIBRARIES = _weasyprint_loads()
# For a test that makes PDFs in another process, where the watcher below cannot see it.
needs_pdf_libraries = pytest.mark.skipif(not PDF_LIBRARIES and not IN_CI, reason=NO_PDF_LIBRARIES)


def needs_program(name, package):
    """Skips the test where the program `name` is not on PATH, naming the Debian `package` that has it; never
    in CI, which installs it (there the test runs and fails, saying what is missing)."""
    return pytest.mark.skipif(
        shutil.which(name) is None and not IN_CI, reason=f"{name} is not installed (apt-get install {package})"
    )


def weasyprint_stand_in(monkeypatch, *, harfbuzz_subset=True):
    """`import weasyprint` answers as on a machine where Pango loads, with or without HarfBuzz-Subset, whatever
    this machine has: what invoices/checks.py looks at (the module and `weasyprint.text.ffi.harfbuzz_subset`)."""
    package = types.ModuleType("weasyprint")
    package.text = types.ModuleType("weasyprint.text")
    package.text.ffi = types.SimpleNamespace(harfbuzz_subset=object() if harfbuzz_subset else None)
    monkeypatch.setitem(sys.modules, "weasyprint", package)
    monkeypatch.setitem(sys.modules, "weasyprint.text", package.text)


# The same stand-in for a `python -c` subprocess (`manage.py check --deploy` as an operator runs it): the deploy
# checks of the settings are under test there, not this machine's PDF libraries (tests/invoices/test_checks.py).
PDF_LIBRARIES_LOAD = (
    "import sys, types; weasyprint = types.ModuleType('weasyprint'); "
    "weasyprint.text = types.ModuleType('weasyprint.text'); "
    "weasyprint.text.ffi = types.SimpleNamespace(harfbuzz_subset=object()); "
    "sys.modules.update({'weasyprint': weasyprint, 'weasyprint.text': weasyprint.text}); "
)


class _WeasyPrintWatch(importlib.abc.MetaPathFinder):
    """Notes every attempt to import WeasyPrint, then lets the ordinary import go on (and fail, here)."""

    asked = False

    def find_spec(self, fullname, path, target=None):
        if fullname == "weasyprint":
            self.asked = True
        return None


_watch = _WeasyPrintWatch()
if not PDF_LIBRARIES and not IN_CI:
    sys.meta_path.insert(0, _watch)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _watch.asked = False
    if _watch in sys.meta_path:
        # invoices.pdf.available() asks once per process; each test that depends on its answer (the imports
        # queue no PDFs where WeasyPrint cannot load) must ask again, for the watcher to see it.
        from invoices import pdf

        pdf.available.cache_clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.when in ("setup", "call") and _watch.asked:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {NO_PDF_LIBRARIES}")
    return report
