import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from customers.models import Region
from invoices.models import Invoice
from invoices.pdf import PdfUnavailable
from invoices.services import invoice_render_pdf

CHUNK = 20


def render_chunk(pks):
    """Run in a worker process: render each invoice, return (rendered, errors as messages)."""
    rendered, errors = 0, []
    for invoice in Invoice.objects.filter(pk__in=pks).defer("ksef_xml"):
        try:
            invoice_render_pdf(invoice=invoice)
        except PdfUnavailable:
            raise
        except Exception as error:  # one broken invoice must not stop the others
            errors.append(f"{invoice.number}: {type(error).__name__}: {error}")
        else:
            rendered += 1
    return rendered, errors


class Command(BaseCommand):
    help = (
        "Renders invoice PDFs and stores them (an issued invoice never changes, so each is rendered once "
        "and then served from storage). Works in parallel on all cores (--workers). With --missing only "
        "invoices whose PDF was never stored or whose file is gone are rendered, so the command can be "
        "re-run safely at any time, e.g. after an import or a lost disk; without it every selected invoice "
        "is rendered again. Files are replaced atomically, so downloads during a run never see half a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="Only this region (its slug, e.g. jaworzno).")
        parser.add_argument("--missing", action="store_true", help="Only invoices without a stored PDF file.")
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes rendering in parallel. Default: the number of cores (%(default)s).",
        )
        parser.add_argument("--limit", type=int, help="At most this many invoices, the newest first (trial runs).")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be rendered.")

    def handle(self, *args, region, missing, workers, limit, dry_run, **options):
        if workers < 1:
            raise CommandError(_("--workers: co najmniej 1, podano %(given)d.") % {"given": workers})
        if limit is not None and limit < 1:
            raise CommandError(_("--limit: co najmniej 1, podano %(given)d.") % {"given": limit})
        invoices = Invoice.objects.order_by("-issue_date", "-pk")
        if region:
            if not Region.objects.filter(slug=region).exists():
                slugs = ", ".join(Region.objects.values_list("slug", flat=True))
                raise CommandError(
                    _("--region: nie ma regionu %(slug)r. Dostępne: %(known)s.") % {"slug": region, "known": slugs}
                )
            invoices = invoices.filter(region__slug=region)
        selected = list(invoices.values_list("pk", "pdf"))
        storage = Invoice._meta.get_field("pdf").storage
        todo = [pk for pk, name in selected if not missing or not name or not storage.exists(name)]
        skipped = len(selected) - len(todo)
        if limit is not None:
            todo = todo[:limit]
        if dry_run:
            self.stdout.write(
                _("Do wyrenderowania: %(todo)d, pominięto (zapisane): %(skipped)d. Nic nie zmieniono.")
                % {"todo": len(todo), "skipped": skipped}
            )
            return
        started = time.perf_counter()
        rendered, errors = self._render(todo, workers)
        elapsed = time.perf_counter() - started
        for message in errors[:100]:
            self.stderr.write(message)
        rate = rendered / elapsed if elapsed else 0
        summary = _(
            "Wyrenderowano %(rendered)d, pominięto %(skipped)d, błędy %(errors)d "
            "(%(elapsed).1f s, %(rate).1f faktur/s, procesy: %(workers)d)."
        ) % {
            "rendered": rendered,
            "skipped": skipped,
            "errors": len(errors),
            "elapsed": elapsed,
            "rate": rate,
            "workers": min(workers, max(len(todo), 1)),
        }
        if errors:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _render(self, pks, workers):
        chunks = [pks[i : i + CHUNK] for i in range(0, len(pks), CHUNK)]
        try:
            if workers == 1 or len(chunks) <= 1:
                results = [render_chunk(chunk) for chunk in chunks]
            else:
                # Each forked worker opens its own database connection; the parent's must not be shared.
                connections.close_all()
                with ProcessPoolExecutor(max_workers=workers) as pool:
                    futures = [pool.submit(render_chunk, chunk) for chunk in chunks]
                    results = [future.result() for future in as_completed(futures)]
        except PdfUnavailable as error:
            raise CommandError(_("WeasyPrint nie działa na tym serwerze: %(error)s") % {"error": error}) from error
        return sum(r for r, _ in results), [e for _, errs in results for e in errs]
