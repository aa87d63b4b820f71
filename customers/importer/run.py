"""One run of the billing import: read and check everything, then write everything, in one transaction (on
PostgreSQL the set-based checks may run beside the writes: ``_stage_then_check_beside_writes``)."""

import contextlib
import csv
import logging
import threading

from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.importer import checks, staging
from customers.importer.errors import Problems
from customers.importer.lock import import_lock
from customers.importer.plain import stage_plain
from customers.importer.progress import Progress
from customers.importer.reading import Rows, check_header, fingerprint, present_files
from customers.importer.rows import row_parser
from customers.importer.staging import Schema
from customers.importer.writing import TARGETS, write_file
from customers.models import ImportRun
from invoices.tasks import enqueue_pdf_renders

logger = logging.getLogger(__name__)


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
            if connection.vendor == "postgresql":
                with transaction.atomic(), connection.cursor() as cursor:
                    Schema.drop_leftovers(cursor)
            if _checks_beside_writes(files):
                _stage_then_check_beside_writes(files, run=run, encoding=encoding, progress=progress)
            else:
                with staging.import_transaction(connection=connection):
                    _stage(files, run=run, encoding=encoding, progress=progress, schema=None)
                    _check(files, run=run, connection=connection)
                    _write_and_finish(files, run=run, progress=progress, before_commit=staging_dropper)
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


def staging_dropper():
    # Temporary tables: PostgreSQL drops them at commit, SQLite only with the connection.
    staging.drop_tables(connection=connection)


def drop_abandoned_staging():
    """Drop the staging of imports killed mid-run (a copy of their export, personal data included) unless an
    import is running now; for the housekeeping cron job, so that it does not wait for the next import.
    Returns how many runs' staging was dropped."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        if not Schema.leftovers(cursor):
            return 0  # the usual case: no lock taken, so no import starting now is refused
    try:
        with import_lock(connection=connection), connection.cursor() as cursor:
            return Schema.drop_leftovers(cursor)
    except CommandError:  # an import holds the lock: its own staging is not abandoned
        return 0


def _checks_beside_writes(files):
    """On PostgreSQL, in autocommit outside any transaction of the caller's (tests and demo_data wrap the
    import in theirs) and where the role may create a schema: stage in a schema of the run's, then check on a
    second connection while this one writes."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or not connection.get_autocommit():
        return False
    with connection.cursor() as cursor:
        return bool(files) and Schema.possible(cursor)


def _stage_then_check_beside_writes(files, *, run, encoding, progress):
    """The checks take 1.5–3 s of a million-row import and the writes 2.5–5 s, each in one PostgreSQL process:
    on two cores they run side by side. The writes are the run's one transaction; it commits only after the
    checks found nothing, else it is rolled back and the run is refused exactly as if the checks had run
    first (nothing is written either way; a refused run has only cost the work of writing). The staging
    tables are committed first — in a schema of their own, dropped at the end — so that the checking
    connection can read them."""
    schema, checking = Schema(), None
    try:
        with staging.import_transaction(connection=connection, schema=schema):
            _stage(files, run=run, encoding=encoding, progress=progress, schema=schema)
        checking = _Checks(files, run=run, schema=schema)
        checking.start()
        try:
            with staging.import_transaction(connection=connection, schema=schema):
                _write_and_finish(files, run=run, progress=progress, before_commit=checking.wait)
        except DatabaseError:
            checking.wait()  # a write refused by a constraint: the checks say which rows are wrong
            raise
    finally:
        _clean_up(schema, checking)


def _clean_up(schema, checking):
    """Stop the checks if they still run (the import was interrupted), then drop the staging schema. Once the
    run has committed, a failure here must not make it look failed: it is logged, and the next run drops what
    is left."""
    try:
        with connection.cursor() as cursor:
            while checking is not None and checking.is_alive():
                # A cancel reaches only a statement under way: repeat until the thread has given up.
                if checking.pid is not None:
                    cursor.execute("SELECT pg_cancel_backend(%s)", [checking.pid])
                checking.join(0.2)
            schema.drop(cursor)
    except DatabaseError as error:
        logger.warning("Tabele pośrednie importu (%s) zostają do następnego importu: %s", schema.name, error)


class _Checks(threading.Thread):
    """The set-based checks on a connection of their own (Django gives each thread one), reading the
    committed staging tables and the database as it was before this run. The active language is per thread:
    the checks report in the importing thread's."""

    def __init__(self, files, *, run, schema):
        super().__init__(name="import-checks", daemon=True)
        self.files, self.import_run, self.schema = files, run, schema
        self.language = translation.get_language()
        self.error = self.pid = None

    def run(self):
        from django.db import connection as own  # this thread's connection

        try:
            with own.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            with translation.override(self.language), staging.import_transaction(connection=own, schema=self.schema):
                _check(self.files, run=self.import_run, connection=own)
        except BaseException as error:  # reported by wait() in the importing thread
            self.error = error
        finally:
            own.close()

    def wait(self):
        """Join the checks; refuse the run (Rejected) if they found problems, re-raise what they raised."""
        self.join()
        if self.error is not None:
            raise self.error
        if self.import_run.problems:
            raise Rejected


def _stage(files, *, run, encoding, progress, schema):
    """Check every row of every file and load the files into staging tables; Rejected if a row is wrong."""
    problems = run.problems
    if not files:
        problems.add(
            run.source, 0, "-", _("w folderze nie ma żadnego z plików eksportu (odbiorcy.csv, punkty.csv, …)")
        )
        raise Rejected
    staging.create_tables(connection=connection, schema=schema)
    for export_file in files:
        stage_file(export_file, problems=problems, warnings=run.warning_list, encoding=encoding, progress=progress)
    if problems:
        raise Rejected
    progress.phase(_("Sprawdzam odwołania, duplikaty i okresy…"))
    staging.prepare_for_queries(connection=connection, targets=TARGETS)


def _check(files, *, run, connection):
    """The set-based checks across rows, files and the database; Rejected if they find anything."""
    present = {export_file.name for export_file in files}
    checks.run_checks(connection=connection, region=run.region, problems=run.problems, present=present)
    if run.problems:
        raise Rejected


def _write_and_finish(files, *, run, progress, before_commit=None):
    """Write every staged file and record the run, inside the caller's transaction; `before_commit` runs
    last and may still refuse the run (it raises)."""
    new_invoices = []
    for export_file in files:
        progress.phase(_("Zapisuję %(name)s…") % {"name": export_file.name})
        write_file(export_file, connection=connection, region=run.region, new_invoices=new_invoices)
    if before_commit is not None:
        before_commit()
    if new_invoices and not run.dry_run:
        # The task rows are written in this transaction: they commit with the invoices, or neither does.
        count = len(new_invoices)
        progress.phase(
            ngettext(
                "Kolejkuję PDF %(n)d nowej lub zmienionej faktury…",
                "Kolejkuję PDF-y %(n)d nowych i zmienionych faktur…",
                count,
            )
            % {"n": count}
        )
        enqueue_pdf_renders(new_invoices)
    _finish(run, files, ImportRun.Result.DRY_RUN if run.dry_run else ImportRun.Result.OK)
    if run.dry_run:
        transaction.set_rollback(True)
    else:
        run.save()


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
                problems.add(name, rows.line_num, "-", _("błąd formatu CSV: %(error)s") % {"error": error})
            except UnicodeDecodeError as error:
                problems.add(
                    name,
                    rows.line_num,
                    "-",
                    _("znak spoza kodowania %(encoding)s: %(reason)s")
                    % {"encoding": export_file.encoding, "reason": error.reason},
                )
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
    report = run.problems.report() + ([_("błąd bazy danych: %(error)s") % {"error": crash}] if crash else [])
    run.errors = "\n".join(report)
    run.warnings = "\n".join(run.warning_list)


def _save_quietly(run):
    # When the database is gone, the exception being raised says more than the record could.
    with contextlib.suppress(DatabaseError):
        run.save()
