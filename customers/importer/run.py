"""One run of the billing import: read and check everything, then write everything, in one transaction."""

import contextlib
import csv

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from customers.importer import checks, staging
from customers.importer.errors import Problems
from customers.importer.lock import import_lock
from customers.importer.plain import stage_plain
from customers.importer.progress import Progress
from customers.importer.reading import Rows, check_header, fingerprint, present_files
from customers.importer.rows import row_parser
from customers.importer.writing import TARGETS, write_file
from customers.models import ImportRun
from invoices.tasks import enqueue_pdf_renders


class Rejected(Exception):
    """The export breaks the contract: nothing is written."""


def billing_import(*, folder, region, started_by, dry_run=False, encoding=None, progress=None, limit=100):
    """Import the export in `folder` into `region`. Returns the recorded ImportRun; its `problems` and
    `warning_list` attributes carry the report. Raises CommandError while another import holds the lock."""
    progress = progress or Progress(None, enabled=False)
    run = ImportRun(kind=ImportRun.Kind.CSV, region=region, started_by=started_by, source=str(folder), dry_run=dry_run)
    run.problems, run.warning_list = Problems(limit), []
    files = present_files(folder)
    with import_lock(connection=connection):
        try:
            with transaction.atomic():
                _stage_check_and_write(files, run=run, encoding=encoding, progress=progress)
                _finish(run, files, ImportRun.Result.DRY_RUN if dry_run else ImportRun.Result.OK)
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    run.save()
        except Rejected:
            _finish(run, files, ImportRun.Result.FAILED)
            run.save()
        except DatabaseError as error:
            _finish(run, files, ImportRun.Result.FAILED, crash=error)
            _save_quietly(run)
            raise
        if dry_run and run.result == ImportRun.Result.DRY_RUN:
            run.save()
    return run


def _stage_check_and_write(files, *, run, encoding, progress):
    problems = run.problems
    if not files:
        problems.add(run.source, 0, "-", "w folderze nie ma żadnego z plików eksportu (odbiorcy.csv, punkty.csv, …)")
        raise Rejected
    staging.create_tables(connection=connection)
    for export_file in files:
        stage_file(export_file, problems=problems, warnings=run.warning_list, encoding=encoding, progress=progress)
    if problems:
        raise Rejected
    progress.phase("Sprawdzam odwołania, duplikaty i okresy…")
    staging.prepare_for_queries(connection=connection, targets=TARGETS)
    present = {export_file.name for export_file in files}
    checks.run_checks(connection=connection, region=run.region, problems=problems, present=present)
    if problems:
        raise Rejected
    new_invoices = []
    for export_file in files:
        progress.phase(f"Zapisuję {export_file.name}…")
        write_file(export_file, connection=connection, region=run.region, new_invoices=new_invoices)
    staging.drop_tables(connection=connection)
    if new_invoices and not run.dry_run:
        # The task rows are written in this transaction: they commit with the invoices, or neither does.
        progress.phase(f"Kolejkuję PDF-y {len(new_invoices)} nowych i zmienionych faktur…")
        enqueue_pdf_renders(new_invoices)


def stage_file(export_file, *, problems, warnings, encoding, progress):
    """Check every row of one file and load the good ones into its staging table (while nothing failed)."""
    name = export_file.name
    trouble = fingerprint(export_file, encoding=encoding)
    if trouble:
        problems.add(name, 0, "-", trouble)
        return
    rows = Rows(export_file)
    try:
        header = rows.read_header()
        before = problems.count
        columns = check_header(export_file, header, problems, warnings)
        if problems.count > before:
            return
        if not problems and stage_plain(export_file, header=header, connection=connection, progress=progress):
            return
        parse_row = row_parser(name, columns=columns, width=len(header), problems=problems)
        progress.start(name, export_file.size)
        count = 0
        with staging.Loader(name, connection=connection) as load:
            try:
                for line, cells in rows:
                    row = parse_row(line, cells)
                    count += 1
                    if row is not None and not problems:
                        load(row)
                    if not count % 8192:
                        progress.update(count, rows.position())
            except csv.Error as error:
                problems.add(name, rows.line_num, "-", f"błąd formatu CSV: {error}")
            except UnicodeDecodeError as error:
                problems.add(name, rows.line_num, "-", f"znak spoza kodowania {export_file.encoding}: {error.reason}")
        export_file.rows = count
        progress.finish(count)
    finally:
        rows.close()


def _finish(run, files, result, crash=None):
    run.result = result
    run.finished_at = timezone.now()
    run.files = [export_file.summary() for export_file in files]
    for key in ("created", "updated", "unchanged"):
        setattr(run, key, sum(export_file.counts.get(key, 0) for export_file in files))
    run.error_count = run.problems.count + (1 if crash else 0)
    report = run.problems.report() + ([f"błąd bazy danych: {crash}"] if crash else [])
    run.errors = "\n".join(report)
    run.warnings = "\n".join(run.warning_list)


def _save_quietly(run):
    # When the database is gone, the exception being raised says more than the record could.
    with contextlib.suppress(DatabaseError):
        run.save()
