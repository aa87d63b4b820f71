"""import_billing on PostgreSQL outside a caller's transaction: staged in a schema of the run's, checked on a
second connection while the first writes; and the readings' foreign key checked once per point.

The other import tests run inside the test's transaction, where the import takes the one-connection path;
these are transactional, so the import commits (or not) as it does for an operator.
"""

import io
import threading
import time

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from consumption.models import ConsumptionReading
from customers.importer import run as run_module
from customers.importer import writing
from customers.importer.staging import Schema
from customers.models import Customer, ImportRun, MeteringPoint
from invoices.models import Invoice, InvoiceLine, Payment
from tests.customers.importing import EXPORT, changed, refused, run_import, write_export

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's import path")

MODELS = [Customer, MeteringPoint, ConsumptionReading, Invoice, InvoiceLine, Payment]


def counts():
    return [model.objects.count() for model in MODELS]


def staging_schemas():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [Schema.PREFIX])
        return [row[0] for row in cursor.fetchall()]


def another_process(**options):
    """A connection of its own to the test database, as another process would open it."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        **options,
    )


def search_path():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        return cursor.fetchone()[0]


@pytest.fixture
def committed(committed_regions, transactional_db):
    """A transactional test: the import's own transactions commit; the regions are seeded."""
    path = search_path()
    yield
    assert staging_schemas() == []
    assert search_path() == path


@pytest.fixture
def checks_seen(monkeypatch):
    """The threads and database backends the set-based checks ran on."""
    seen = []
    original = run_module._check

    def spy(files, *, run, connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            seen.append((threading.current_thread().name, cursor.fetchone()[0]))
        return original(files, run=run, connection=connection)

    monkeypatch.setattr(run_module, "_check", spy)
    return seen


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_checks_run_on_a_second_connection_while_the_first_writes(committed, tmp_path, checks_seen):
    out, _ = run_import(write_export(tmp_path))
    assert "Import zakończony: utworzono 14, zmieniono 0, bez zmian 0." in out
    assert counts() == [2, 2, 3, 2, 3, 2]
    [(thread, pid)] = checks_seen
    assert thread == "import-checks"
    assert pid != backend_pid()
    assert ImportRun.objects.get().result == ImportRun.Result.OK

    out, _ = run_import(write_export(tmp_path))
    assert "Import zakończony: utworzono 0, zmieniono 0, bez zmian 14." in out


def test_a_problem_the_checks_find_rolls_back_what_was_written_beside_them(committed, tmp_path, checks_seen):
    export = changed("wplaty.csv", len(EXPORT["wplaty.csv"]), "kod", "4321")
    err = refused(write_export(tmp_path, export))
    assert err.splitlines() == ["wplaty.csv:3: kod: nieznany odbiorca 004321-0001"]
    assert checks_seen[0][0] == "import-checks"
    assert counts() == [0] * len(MODELS)
    run = ImportRun.objects.get()
    assert run.result == ImportRun.Result.FAILED
    assert run.errors == "wplaty.csv:3: kod: nieznany odbiorca 004321-0001"


def test_the_checks_beside_the_writes_report_in_the_importing_threads_language(committed, tmp_path, checks_seen):
    folder = write_export(tmp_path, changed("wplaty.csv", len(EXPORT["wplaty.csv"]), "kod", "4321"))
    with translation.override("en"), pytest.raises(CommandError, match="Import refused: 1 error, nothing saved"):
        call_command("import_billing", str(folder), "--region", "jaworzno", stderr=io.StringIO())
    assert checks_seen[0][0] == "import-checks"
    assert ImportRun.objects.get().errors == "wplaty.csv:3: kod: unknown customer 004321-0001"


def test_the_checks_see_the_database_as_it_was_before_the_run(committed, tmp_path):
    run_import(write_export(tmp_path / "first"))
    export = {"odczyty.csv": [EXPORT["odczyty.csv"][0], "W-0101;15.10.2026;14.11.2026;;3;R"]}
    err = refused(write_export(tmp_path / "second", export))
    assert err.splitlines() == [
        "odczyty.csv:2: data_od: okres 2026-10-15–2026-11-14 punktu W-0101 nakłada się na inny okres tego punktu"
    ]
    assert ConsumptionReading.objects.count() == 3


def test_a_write_refused_by_the_database_is_reported_by_the_checks_when_they_explain_it(
    committed, tmp_path, monkeypatch
):
    """Data the checks refuse may break a constraint first: the operator gets the checks' lines, not a crash."""
    original = run_module.write_file

    def constraint_fails(export_file, **kwargs):
        if export_file.name == "wplaty.csv":
            raise IntegrityError("insert or update on table violates foreign key constraint")
        return original(export_file, **kwargs)

    monkeypatch.setattr(run_module, "write_file", constraint_fails)
    export = changed("wplaty.csv", len(EXPORT["wplaty.csv"]), "kod", "4321")
    err = refused(write_export(tmp_path, export))
    assert err.splitlines() == ["wplaty.csv:3: kod: nieznany odbiorca 004321-0001"]
    assert counts() == [0] * len(MODELS)


def test_a_database_failure_while_writing_leaves_nothing_and_no_staging(committed, tmp_path, monkeypatch):
    original = run_module.write_file

    def fail_at_payments(export_file, **kwargs):
        if export_file.name == "wplaty.csv":
            raise run_module.DatabaseError("connection lost")
        return original(export_file, **kwargs)

    monkeypatch.setattr(run_module, "write_file", fail_at_payments)
    with pytest.raises(run_module.DatabaseError, match="connection lost"):
        run_import(write_export(tmp_path))
    assert counts() == [0] * len(MODELS)
    assert ImportRun.objects.get().result == ImportRun.Result.FAILED


def test_a_dry_run_writes_nothing(committed, tmp_path):
    out, _ = run_import(write_export(tmp_path), "--dry-run")
    assert "Próba (--dry-run), nic nie zapisano: utworzono 14" in out
    assert counts() == [0] * len(MODELS)
    assert ImportRun.objects.get().result == ImportRun.Result.DRY_RUN


def test_a_row_problem_is_refused_before_anything_is_staged_for_good(committed, tmp_path, checks_seen):
    err = refused(write_export(tmp_path, changed("odczyty.csv", 2, "zuzycie_gj", "x")))
    assert err.startswith("odczyty.csv:2: zuzycie_gj:")
    assert checks_seen == []  # the row checks refused it; the set-based ones never ran
    assert counts() == [0] * len(MODELS)


def test_the_staging_of_a_killed_run_is_dropped_by_the_next_run(committed, tmp_path):
    leftover = f"{Schema.PREFIX}{'0' * 32}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {leftover}")
        cursor.execute(f"CREATE UNLOGGED TABLE {leftover}.import_odczyty (line integer)")
    assert staging_schemas() == [leftover]
    run_import(write_export(tmp_path))
    assert staging_schemas() == []


def test_imported_readings_lock_their_points_until_the_run_commits(committed, tmp_path, monkeypatch):
    """What the foreign key's row-by-row check did: a point that new readings refer to cannot be deleted by
    anyone else before they are committed."""
    run_import(write_export(tmp_path / "first", only={"odbiorcy.csv", "punkty.csv"}))
    point = MeteringPoint.objects.get(identifier="W-0102")
    original = run_module.write_file
    attempt = {}

    def then_delete_elsewhere(export_file, **kwargs):
        result = original(export_file, **kwargs)
        if export_file.name == "odczyty.csv":
            with another_process(autocommit=True) as other:
                other.execute("SET lock_timeout = '300ms'")
                try:
                    other.execute("DELETE FROM customers_meteringpoint WHERE id = %s", [point.pk])
                except psycopg.errors.LockNotAvailable:
                    attempt["blocked"] = True
        return result

    monkeypatch.setattr(run_module, "write_file", then_delete_elsewhere)
    run_import(write_export(tmp_path / "second", only={"odczyty.csv"}))
    assert attempt == {"blocked": True}
    assert ConsumptionReading.objects.filter(point=point).count() == 1


@pytest.mark.django_db
def test_a_referenced_row_gone_before_it_could_be_locked_fails_the_insert():
    """Stands in for a point deleted by another transaction while the readings were being inserted."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE referenced (id integer PRIMARY KEY)")
        cursor.execute("CREATE TEMPORARY TABLE referring (referenced_id integer NOT NULL)")
        cursor.execute("INSERT INTO referenced VALUES (1), (2)")
        insert = "INSERT INTO referring (referenced_id) SELECT n FROM generate_series(1, 3) n"
        with pytest.raises(IntegrityError, match="1 z 3 wierszy referenced"), transaction.atomic():
            writing.insert_checked_as_a_set(
                cursor, connection=connection, insert=insert, foreign_key=("referenced_id", "referenced"), params={}
            )
        cursor.execute("SELECT count(*) FROM referring")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_without_the_right_to_switch_triggers_off_the_foreign_key_checks_each_row(tmp_path, jaworzno, monkeypatch):
    """A role that may not set session_replication_role imports the same, with the row-by-row check."""
    results = []
    original = writing.insert_checked_as_a_set

    def spy(*args, **kwargs):
        results.append(original(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(writing, "insert_checked_as_a_set", spy)
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE ebok_test_plain_importer NOSUPERUSER")  # undone with the test's transaction
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO ebok_test_plain_importer")
        cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ebok_test_plain_importer")
        cursor.execute("SET LOCAL ROLE ebok_test_plain_importer")
    out, _ = run_import(write_export(tmp_path))
    assert "odczyty.csv: 3 wiersze — utworzono 3" in out
    assert results == [None]  # refused the switch: the plain INSERT ran
    assert ConsumptionReading.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        assert cursor.fetchone()[0] == "origin"


def test_the_search_path_of_the_connection_is_left_as_it_was(committed, tmp_path):
    with connection.cursor() as cursor:
        cursor.execute("SET search_path = public, pg_catalog")
    try:
        run_import(write_export(tmp_path))
        assert search_path() == "public, pg_catalog"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET search_path")


def test_an_interrupted_run_stops_its_checks_and_drops_its_staging(committed, tmp_path, monkeypatch):
    """Not a database error (Ctrl+C, a bug): the checks' query is cancelled and the thread joined at once,
    nothing is written. The checks here would otherwise take 30 s."""
    from customers.importer import checks

    original_checks, original_write = checks.run_checks, run_module.write_file
    threads, started = [], threading.Event()

    def slow_checks(*, connection, **kwargs):
        started.set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(30)")
        return original_checks(connection=connection, **kwargs)

    def interrupted(export_file, **kwargs):
        threads.extend(thread for thread in threading.enumerate() if thread.name == "import-checks")
        if export_file.name == "odczyty.csv":
            assert started.wait(10)
            raise KeyboardInterrupt
        return original_write(export_file, **kwargs)

    monkeypatch.setattr(checks, "run_checks", slow_checks)
    monkeypatch.setattr(run_module, "write_file", interrupted)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_import(write_export(tmp_path))
    assert time.monotonic() - began < 10
    [thread] = set(threads)
    assert not thread.is_alive()
    assert "canceling statement" in str(thread.error)
    assert counts() == [0] * len(MODELS)


def test_a_realistic_export_of_all_six_files_goes_through_the_two_connection_path(committed, tmp_path, checks_seen):
    """demo_data's export (plain odczyty.csv for COPY, corrections, payments) as an operator imports it."""
    from django.core.management import call_command

    call_command("demo_data", "--no-load", "--customers", "8", "--until", "2026-10", "--output", str(tmp_path))
    for region in ["jaworzno", "bedzin-czeladz-sosnowiec"]:
        folder = tmp_path / region
        rows = sum(len(path.read_bytes().splitlines()) - 1 for path in folder.glob("*.csv"))
        out, _ = run_import(folder, region=region)
        assert f"Import zakończony: utworzono {rows}, zmieniono 0, bez zmian 0." in out
        out, _ = run_import(folder, region=region)
        assert f"Import zakończony: utworzono 0, zmieniono 0, bez zmian {rows}." in out
    assert [thread for thread, _ in checks_seen] == ["import-checks"] * 4
    assert Customer.objects.count() == 8
    assert Invoice.objects.filter(corrects__isnull=False).exists()
    assert ConsumptionReading.objects.count() > 8 * 12


def test_housekeeping_drops_a_killed_runs_staging_unless_an_import_is_running(committed):
    from django.core.management import call_command

    from customers.importer.lock import ADVISORY_KEY

    leftover = f"{Schema.PREFIX}{'1' * 32}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {leftover}")
    with another_process() as running_import:
        running_import.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        out = io.StringIO()
        call_command("accounts_housekeeping", stdout=out)
        assert "porzucone tabele importu: 0" in out.getvalue()
        assert staging_schemas() == [leftover]
    out = io.StringIO()
    call_command("accounts_housekeeping", stdout=out)
    assert "porzucone tabele importu: 1" in out.getvalue()
    assert staging_schemas() == []
