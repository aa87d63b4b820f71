from invoices.tasks import enqueue_pdf_renders, render_invoice_pdf, render_invoice_pdfs


def test_the_task_renders_and_stores_once(invoice):
    assert render_invoice_pdf.call(str(invoice.public_id)) == "rendered"
    invoice.refresh_from_db()
    assert invoice.pdf.storage.exists(invoice.pdf.name)
    assert render_invoice_pdf.call(str(invoice.public_id)) == "stored"


def test_the_task_survives_a_deleted_invoice(db):
    assert render_invoice_pdf.call("1b4e28ba-2fa1-11d2-883f-0016d3cca427") == "missing"


def test_the_import_can_enqueue_renders_for_the_worker(invoice):
    from django_tasks_db.models import DBTaskResult

    results = enqueue_pdf_renders([invoice])
    assert len(results) == 1
    row = DBTaskResult.objects.get(id=results[0].id)
    assert row.args_kwargs["args"] == [[str(invoice.public_id)], True]  # forced: what it prints changed
    assert row.task_path == "invoices.tasks.render_invoice_pdfs"


def test_renders_are_queued_in_batches(invoice):
    from django_tasks_db.models import DBTaskResult

    ids = [str(invoice.public_id)] + [f"1b4e28ba-2fa1-41d2-883f-{n:012d}" for n in range(4)]
    results = enqueue_pdf_renders(ids, batch=2)
    rows = [DBTaskResult.objects.get(id=result.id).args_kwargs["args"][0] for result in results]
    assert rows == [ids[0:2], ids[2:4], ids[4:5]]
    assert render_invoice_pdfs.call(ids[:3]) == {"rendered": 1, "missing": 2}


def test_a_forced_render_replaces_a_stored_pdf_and_one_failure_spares_the_batch(invoice, monkeypatch):
    from invoices import tasks

    assert render_invoice_pdfs.call([str(invoice.public_id)]) == {"rendered": 1}
    assert render_invoice_pdfs.call([str(invoice.public_id)]) == {"stored": 1}
    assert render_invoice_pdfs.call([str(invoice.public_id)], True) == {"rendered": 1}
    real = tasks.invoice_render_pdf
    calls = []

    def flaky(*, invoice):
        calls.append(invoice.public_id)
        if len(calls) == 1:
            raise RuntimeError("Pango crashed")
        return real(invoice=invoice)

    monkeypatch.setattr(tasks, "invoice_render_pdf", flaky)
    other = type(invoice).objects.create(
        region=invoice.region,
        number="FV/INNA",
        customer=invoice.customer,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        net=invoice.net,
        vat=invoice.vat,
        gross=invoice.gross,
    )
    outcome = render_invoice_pdfs.call([str(invoice.public_id), str(other.public_id)], True)
    assert outcome == {"failed": 1, "rendered": 1}


def test_without_pango_nothing_is_queued_and_a_batch_stops_at_the_first_failure(invoice, monkeypatch):
    from invoices import pdf

    monkeypatch.setattr(pdf, "available", lambda: False)
    assert enqueue_pdf_renders([invoice]) == []

    def no_pango(html):
        raise pdf.PdfUnavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("invoices.services.render_pdf", no_pango)
    ids = [str(invoice.public_id)] * 3
    assert render_invoice_pdfs.call(ids, True) == {"unavailable": 3}
