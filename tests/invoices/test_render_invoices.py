import datetime
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from invoices.models import Invoice
from tests.environment import needs_pdf_libraries
from tests.invoices.conftest import make_invoice


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("render_invoices", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def invoices(owner, stranger):
    return [make_invoice(owner, "FV/1"), make_invoice(owner, "FV/2"), make_invoice(stranger, "FV/3")]


def stored(invoice):
    invoice.refresh_from_db()
    return bool(invoice.pdf) and invoice.pdf.storage.exists(invoice.pdf.name)


def test_it_renders_and_stores_every_invoice(invoices):
    assert "Wyrenderowano 3, pominięto 0, błędy 0" in run("--workers", "1")
    assert all(stored(invoice) for invoice in invoices)


def test_missing_renders_only_what_is_not_stored_and_can_be_rerun(invoices):
    run("--workers", "1", "--region", "jaworzno")
    assert "Wyrenderowano 1, pominięto 2" in run("--workers", "1", "--missing")
    assert "Wyrenderowano 0, pominięto 3" in run("--workers", "1", "--missing")
    invoices[0].refresh_from_db()
    invoices[0].pdf.storage.delete(invoices[0].pdf.name)
    assert "Wyrenderowano 1, pominięto 2" in run("--workers", "1", "--missing")
    assert stored(invoices[0])


def test_region_limits_the_run(invoices):
    assert "Wyrenderowano 1," in run("--workers", "1", "--region", "bedzin-czeladz-sosnowiec")
    assert [stored(invoice) for invoice in invoices] == [False, False, True]


def test_limit_takes_the_newest_first(owner, invoices):
    newest = make_invoice(owner, "FV/NEW", issue_date=datetime.date(2026, 12, 3))
    assert "Wyrenderowano 1," in run("--workers", "1", "--limit", "1")
    assert stored(newest)
    assert not any(stored(invoice) for invoice in invoices)


def test_dry_run_changes_nothing(invoices):
    assert "Do wyrenderowania: 3" in run("--dry-run")
    assert not any(stored(invoice) for invoice in invoices)


def test_bad_arguments_are_clear_errors(db):
    with pytest.raises(CommandError, match="nie ma regionu 'atlantyda'"):
        run("--region", "atlantyda")
    with pytest.raises(CommandError, match="--workers"):
        run("--workers", "0")
    with pytest.raises(CommandError, match="--limit"):
        run("--limit", "0")


def test_a_broken_invoice_is_reported_and_the_rest_rendered(invoices, monkeypatch):
    from invoices import services

    real = services.render_pdf

    def broken_for_fv2(html):
        if "FV/2" in html:
            raise ValueError("uszkodzony szablon")
        return real(html)

    monkeypatch.setattr(services, "render_pdf", broken_for_fv2)
    with pytest.raises(CommandError, match="Wyrenderowano 2, pominięto 0, błędy 1"):
        run("--workers", "1")
    assert [stored(invoice) for invoice in invoices] == [True, False, True]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="worker processes need a database they can share")
@needs_pdf_libraries  # the workers are processes of their own
def test_it_renders_in_parallel_processes(django_db_setup, committed_regions, django_db_blocker, media_root):
    """As an operator runs it: `manage.py render_invoices --workers 2` in a process of its own. Forking the
    test process itself would copy the threads of the browser tests (Playwright, the live server) into the
    workers, which Python does not support. The workers see only committed rows, so this test commits its
    own and removes them after (a transactional test would flush the seeded regions other tests rely on)."""
    from customers.models import Customer, Region

    db = connection.settings_dict
    address = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{address}/{db['NAME']}"
    environment = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media_root)}
    environment["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    with django_db_blocker.unblock():
        region = Region.objects.get(slug="jaworzno")
        customer = Customer.objects.create(region=region, number="009999", name="Wspólnota Żółta")
        try:
            for n in range(45):  # three chunks of 20
                make_invoice(customer, f"RÓWNOLEGLE/{n}")
            done = subprocess.run(
                [sys.executable, "manage.py", "render_invoices", "--workers", "2", "--region", "jaworzno"],
                capture_output=True,
                text=True,
                env=environment,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, done.stderr + done.stdout
            assert "Wyrenderowano 45, pominięto 0, błędy 0" in done.stdout
            assert "procesy: 2" in done.stdout
            assert all(stored(invoice) for invoice in customer.invoices.all())
        finally:
            Invoice.objects.filter(customer=customer).delete()
            customer.delete()
