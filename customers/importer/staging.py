"""Staging tables, one per contract file, with the contract's column names and typed columns.

PostgreSQL gets the rows through COPY (psycopg 3 ``cursor.copy``), SQLite through batched INSERTs; either
way the rows never pile up in Python's memory. The tables are temporary (PostgreSQL drops them at the end of
the transaction), or on PostgreSQL unlogged tables in a schema of the run's (``Schema``), committed so that
a second connection can check them while the first writes.
"""

import contextlib
import uuid

from django.db import transaction
from psycopg.copy import QueuedLibpqWriter

from customers.contract import FILES, KEYS
from customers.importer.cells import column_type, sql_type

BATCH = 5000
# PostgreSQL settings for the import's transaction only:
# - memory for each sort and hash (the default, 4 MB, sends the sort of a million readings that finds
#   overlapping periods to disk);
# - no JIT compilation: it pays off for long analytical queries, but costs these set-based statements
#   0.3–0.5 s each to compile (measured on the million-row checks), more than it saves.
SETTINGS = {"work_mem": "128MB", "jit": "off"}
# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped; NULL is \N.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def table(name):
    """odczyty.csv -> import_odczyty"""
    return "import_" + name.removesuffix(".csv")


@contextlib.contextmanager
def import_transaction(*, connection, schema=None):
    """A transaction of the run's on `connection`, with the run's staging `schema` (if any) first in the
    search_path and, on PostgreSQL, the import's SETTINGS — for that transaction only."""
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            if schema is not None:
                schema.enter(cursor)
            if connection.vendor == "postgresql":
                for name, value in SETTINGS.items():
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        yield


def create_tables(*, connection, schema=None):
    """Temporary tables, dropped with the transaction; with `schema` (PostgreSQL), unlogged tables in that new
    schema instead, which a second connection can read once they are committed (see ``Schema``)."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if schema:
            cursor.execute(f"CREATE SCHEMA {schema.name}")
        for name in FILES:
            columns = ", ".join(f"{column} {sql_type(name, column)}" for column in FILES[name])
            if schema:
                cursor.execute(f"CREATE UNLOGGED TABLE {schema.name}.{table(name)} (line integer NOT NULL, {columns})")
                continue
            cursor.execute(f"DROP TABLE IF EXISTS {table(name)}")
            suffix = " ON COMMIT DROP" if postgres else ""
            cursor.execute(f"CREATE TEMPORARY TABLE {table(name)} (line integer NOT NULL, {columns}){suffix}")


class Schema:
    """A PostgreSQL schema of this run's staging tables, committed so that the set-based checks can run on a
    second connection while the first one writes (``customers.importer.run``). Queries name the staging
    tables without a schema: the connections using them put this schema first in their search_path.

    The schema is dropped when the run ends; one left behind by a killed run is dropped by the next run or
    by ``accounts_housekeeping`` (``drop_leftovers``, under the import lock, when no run can be using it)."""

    PREFIX = "import_run_"
    PATTERN = "^import_run_[0-9a-f]{32}$"

    def __init__(self):
        self.name = f"{self.PREFIX}{uuid.uuid4().hex}"

    def enter(self, cursor):
        """Put the schema first in the search_path, for the current transaction only: each connection and
        each transaction that uses the staging tables says so itself (``import_transaction``), and nothing
        outlasts it. The schema need not exist yet."""
        cursor.execute(
            "SELECT set_config('search_path', %s || ', ' || current_setting('search_path'), true)", [self.name]
        )

    def drop(self, cursor):
        cursor.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")

    @classmethod
    def leftovers(cls, cursor):
        """This role's staging schemas: of the run under way, if any, or of killed runs."""
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname ~ %s AND nspowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)",
            [cls.PATTERN],
        )
        return [row[0] for row in cursor.fetchall()]

    @classmethod
    def drop_leftovers(cls, cursor):
        """Drop the staging schemas of killed runs (a copy of their export: names, NIPs, phone numbers).
        Call under the import lock: no other run can be using one."""
        names = cls.leftovers(cursor)
        for name in names:
            cursor.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        return len(names)

    @staticmethod
    def possible(cursor):
        """Whether this role may create a schema in the database."""
        cursor.execute("SELECT has_database_privilege(current_database(), 'CREATE')")
        return cursor.fetchone()[0]


def drop_tables(*, connection):
    with connection.cursor() as cursor:
        for name in FILES:
            cursor.execute(f"DROP TABLE IF EXISTS {table(name)}")


def prepare_for_queries(*, connection, targets=()):
    """Statistics for PostgreSQL's planner — temporary tables are never auto-analysed, and the target tables
    may have grown since autovacuum last looked (a nested loop over a table believed empty is quadratic);
    indexes on SQLite."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for target in targets:
                cursor.execute(f"ANALYZE {target}")
        for name in FILES:
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table(name)}")
            else:
                cursor.execute(f"CREATE INDEX {table(name)}_key ON {table(name)} ({', '.join(KEYS[name])})")


class Loader:
    """``with Loader(name, connection=c) as load: load(row)`` — rows as built by ``rows.row_parser``."""

    def __init__(self, name, *, connection):
        self.name = name
        self.connection = connection
        self.columns = ", ".join(["line", *FILES[name]])
        self._batch = []

    def __enter__(self):
        self._cursor = self.connection.cursor()
        if self.connection.vendor == "postgresql":
            # A writer thread sends the data while this one parses the next rows.
            raw = self._cursor.cursor
            sql = f"COPY {table(self.name)} ({self.columns}) FROM STDIN"
            self._copy_context = raw.copy(sql, writer=QueuedLibpqWriter(raw))
            self._copy = self._copy_context.__enter__()
            # Only free-text columns can hold characters COPY must escape; dates, numbers and codes cannot.
            self._texts = [
                index
                for index, column in enumerate(FILES[self.name], start=1)
                if isinstance(column_type(self.name, column), tuple) and column_type(self.name, column)[0] == "text"
            ]
            return self._add_line
        return self._add

    def _add_line(self, row):
        for index in self._texts:
            if row[index]:
                row[index] = row[index].translate(COPY_ESCAPES)
        row[0] = str(row[0])
        self._batch.append("\t".join(["\\N" if value is None else value for value in row]))
        if len(self._batch) >= BATCH:
            self._copy.write("\n".join(self._batch) + "\n")
            self._batch = []

    def _add(self, row):
        self._batch.append(row)
        if len(self._batch) >= BATCH:
            self._flush()

    def _flush(self):
        if self._batch:
            marks = ", ".join(["%s"] * (len(FILES[self.name]) + 1))
            self._cursor.executemany(f"INSERT INTO {table(self.name)} ({self.columns}) VALUES ({marks})", self._batch)
            self._batch = []

    def __exit__(self, *exc_info):
        try:
            if self.connection.vendor == "postgresql":
                if self._batch and exc_info[0] is None:
                    self._copy.write("\n".join(self._batch) + "\n")
                self._copy_context.__exit__(*exc_info)
            elif exc_info[0] is None:
                self._flush()
        finally:
            self._cursor.close()
