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
    assert row.args_kwargs["args"] == [[str(invoice.public_id)]]
    assert row.task_path == "invoices.tasks.render_invoice_pdfs"


def test_renders_are_queued_in_batches(invoice):
    from django_tasks_db.models import DBTaskResult

    ids = [str(invoice.public_id)] + [f"1b4e28ba-2fa1-41d2-883f-{n:012d}" for n in range(4)]
    results = enqueue_pdf_renders(ids, batch=2)
    rows = [DBTaskResult.objects.get(id=result.id).args_kwargs["args"][0] for result in results]
    assert rows == [ids[0:2], ids[2:4], ids[4:5]]
    assert render_invoice_pdfs.call(ids[:3]) == {"rendered": 1, "missing": 2}
