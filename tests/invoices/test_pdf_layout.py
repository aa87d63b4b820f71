"""How numbers are laid out in the PDFs, read back with poppler's pdftotext (`.ci/run` installs it): an
invoice number never wraps inside the statement's document column, and the KSeF number under the QR code
wraps only after its dashes.
"""

import datetime
import re
import shutil
import subprocess

from django.template.loader import render_to_string

from invoices import services
from invoices.pdf import render_pdf
from invoices.statement import build_statement
from tests.environment import needs_program
from tests.invoices.conftest import make_invoice, make_ksef_invoice, make_payment

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = needs_program("pdftotext", "poppler-utils")  # skipped where missing, but in CI
KSEF_NUMBER = "5265877635-20250826-0100001AF629-AF"


def pdf_lines(content, tmp_path):
    """The PDF's text as pdftotext lays it out: one line of the page per line, columns side by side."""
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    return subprocess.run(  # noqa: S603 - a fixed command on a file this test wrote
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_statement_invoice_numbers_stay_on_one_line(owner, tmp_path):
    for month in range(1, 7):
        invoice = make_invoice(
            owner, f"FV/2026/{month:02d}/0001", gross="1518518.50", issue_date=datetime.date(2026, month, 4)
        )
        make_payment(owner, "1518518.50", invoice=invoice, date=datetime.date(2026, month, 15))
    correction_day = datetime.date(2026, 6, 20)
    make_invoice(owner, "KOR/JAW/2026/06/000123/01", gross="-1518518.50", corrects=invoice, issue_date=correction_day)
    html = render_to_string("invoices/statement_pdf.html", {"statement": build_statement(owner), "customer": owner})
    text = pdf_lines(render_pdf(html), tmp_path)
    for month in range(1, 7):
        assert re.search(rf"^04\.{month:02d}\.2026 +FV/2026/{month:02d}/0001 ", text, re.MULTILINE), text
    assert re.search(r"^20\.06\.2026 +KOR/JAW/2026/06/000123/01 ", text, re.MULTILINE), text
    for month in range(1, 7):  # whole in the description too ("Wpłata za fakturę FV/2026/01/0001")
        assert re.search(rf"^ +FV/2026/{month:02d}/0001$", text, re.MULTILINE), text
    assert not re.search(r"/$", text, re.MULTILINE), text  # no line ends inside a number
    assert "wpłata" not in text  # the document column names the payment by its number, not "wpłata" again


def test_the_ksef_number_under_the_qr_code_wraps_only_after_a_dash(owner, tmp_path):
    text = pdf_lines(services.invoice_render_pdf(invoice=make_ksef_invoice(owner)), tmp_path)
    caption = [line.strip() for line in text.splitlines() if line.strip() and line.strip() in KSEF_NUMBER]
    assert "".join(caption) == KSEF_NUMBER, text
    assert len(caption) > 1  # it is wider than the code: it does wrap, and here only after a dash
    assert all(line.endswith("-") for line in caption[:-1]), caption
