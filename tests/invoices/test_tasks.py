from invoices.tasks import enqueue_pdf_renders, render_invoice_pdf


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
    assert row.args_kwargs["args"] == [str(invoice.public_id)]
    assert row.task_path == "invoices.tasks.render_invoice_pdf"
