"""PostgreSQL's fast path for a big file of plain rows (odczyty.csv): no Python work per row.

A row-by-row parse costs about 3 µs a row in Python; for a million readings that is most of the import.
When every line of the file has the plain shape below, the file's bytes go straight to ``COPY`` into the
typed staging table, and PostgreSQL reads the dates and numbers itself. The shape is a regular expression
built from the contract's column types (``customers.contract.TYPES``) and checked on 1 MB blocks at once in
C; it accepts only cells that the row checks of ``customers.importer.rows`` accept and that PostgreSQL reads
as the same value:

- text: at most as many bytes as the column has characters, no spaces at either end, no `;`, `"`, `,`,
  backslash or control characters (in a Windows-1250 file ASCII only);
- date: DD.MM.RRRR or RRRR-MM-DD (read with DateStyle DMY; a day that does not exist is an error);
- decimal: digits, then a comma or dot and the decimal places; no sign where the value must not be
  negative, no thousands separators; at most the column's digits (commas become dots before COPY);
- choice: one of the values exactly as the contract spells it, or empty (the first one);
- every line has the header's number of cells and one line ending (that of the header line); the header
  holds only the contract's columns.

Anything else — a quoted cell, thousands separators, spaces, a lower-case choice, an empty line, a day
that does not exist, a period that ends before it starts, a column the contract does not know — sends
the whole file to the row-by-row path instead (the COPY is undone by a savepoint), which reports exactly
what is wrong with which line or accepts what the shape was too narrow for. So the rules have one home,
the row checks; this module only recognises rows those checks would certainly pass.
"""

import queue
import re

import psycopg
from django.db import DataError, transaction
from psycopg.copy import QueuedLibpqWriter

from customers.contract import FILES, REQUIRED
from customers.importer.cells import column_type, parser
from customers.importer.reading import CHUNK
from customers.importer.staging import table

# Files that may take this path, with the (start, end) of the period each row must have in order:
# the one rule of rows.ROW_RULES for these files, checked here in SQL.
PLAIN_FILES = {"odczyty.csv": ("data_od", "data_do")}
COPY_ENCODINGS = {"utf-8-sig": "UTF8", "cp1250": "WIN1250"}

EDGE = rb'[^\x00-\x20;",\\\x7f-\xff]'  # first and last byte of a text: printable ASCII, no space
INSIDE = {"utf-8-sig": rb'[^\x00-\x1f;",\\\x7f]', "cp1250": rb'[^\x00-\x1f;",\\\x7f-\xff]'}
DATE = rb"(?:[0-9]{2}\.[0-9]{2}\.[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2})"


class _ShortQueueWriter(QueuedLibpqWriter):
    """psycopg's writer thread, with a queue of a few blocks instead of 1,024: checking a block is faster
    than sending it, and a long queue would hold most of the file in memory."""

    def __init__(self, cursor):
        super().__init__(cursor)
        self._queue = queue.Queue(maxsize=4)


class _Unplain(Exception):
    """A line that is not plain: the row-by-row path takes the file."""


def cell_pattern(name, column, encoding):
    """The bytes pattern of a non-empty plain cell of `column`, or None when its type has no plain form."""
    kind = column_type(name, column)
    if kind == "date":
        return DATE
    if not isinstance(kind, tuple):
        return None
    if kind[0] == "text":
        length = kind[1]
        return EDGE if length == 1 else EDGE + b"(?:" + INSIDE[encoding] + b"{0,%d}" % (length - 2) + EDGE + b")?"
    if kind[0] == "decimal":
        digits, places, minimum = kind[1:]
        if minimum not in ("0", None):
            return None
        sign = b"-?" if minimum is None else b""
        return sign + b"[0-9]{1,%d}(?:[.,][0-9]{1,%d})?" % (digits - places, places)
    if kind[0] == "choice":
        return b"(?:" + b"|".join(re.escape(choice.encode()) for choice in kind[1:]) + b")"
    return None


def block_pattern(name, header, encoding, newline):
    """A compiled pattern matching whole blocks of plain lines of `name` with this header, or None."""
    if encoding not in INSIDE:
        return None
    cells = []
    for column in header:
        pattern = cell_pattern(name, column, encoding)
        if pattern is None:
            return None
        cells.append(pattern if column in REQUIRED[name] else b"(?:" + pattern + b")?")
    return re.compile(b"(?:" + b";".join(cells) + re.escape(newline) + b")*+")


def stage_plain(export_file, *, header, connection, progress):
    """Load `export_file` through the fast path; False (and nothing staged) when it is not plain."""
    name = export_file.name
    if connection.vendor != "postgresql" or name not in PLAIN_FILES:
        return False
    if sorted(export_file.columns.values()) != list(range(len(header))):
        return False  # an unknown column: the row-by-row path warns about it and skips it
    with open(export_file.path, "rb") as handle:
        first = handle.readline()
        newline = b"\r\n" if first.endswith(b"\r\n") else b"\n"
        pattern = block_pattern(name, header, export_file.encoding, newline)
        if pattern is None or b'"' in first:
            return False
        try:
            with transaction.atomic():  # a savepoint: a line that is not plain undoes the COPY
                count = _copy(export_file, handle, header, pattern, newline, connection, progress)
                _fill_defaults_and_check(name, header, connection)
        except (_Unplain, DataError, psycopg.DataError):  # e.g. 31.02: PostgreSQL refuses the day
            return False
    export_file.rows = count
    progress.finish(count)
    return True


def _copy(export_file, handle, header, pattern, newline, connection, progress):
    name = export_file.name
    encoding = COPY_ENCODINGS[export_file.encoding]
    progress.start(name, export_file.size)
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('DateStyle')")
        datestyle = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('DateStyle', 'ISO, DMY', true)")
        # Line 1 is the header; rows are numbered in the order COPY reads them.
        cursor.execute(
            f"ALTER TABLE {table(name)} ALTER line ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 2 CACHE 65536)"
        )
        raw = cursor.cursor
        sql = f"COPY {table(name)} ({', '.join(header)}) FROM STDIN (FORMAT csv, DELIMITER ';', ENCODING '{encoding}')"
        with raw.copy(sql, writer=_ShortQueueWriter(raw)) as copy:  # a thread sends while this one checks
            rest = b""
            while True:
                chunk = handle.read(CHUNK)
                if not chunk:
                    block, rest = rest, b""
                    if block and not block.endswith(newline):
                        block += newline
                else:
                    chunk = rest + chunk
                    end = chunk.rfind(b"\n") + 1
                    block, rest = chunk[:end], chunk[end:]
                if block:
                    if pattern.fullmatch(block) is None:
                        raise _Unplain
                    copy.write(block.replace(b",", b"."))
                    count += block.count(b"\n")
                    progress.update(count, handle.tell())
                if not chunk:
                    break
        cursor.execute("SELECT set_config('DateStyle', %s, true)", [datestyle])
    return count


def _fill_defaults_and_check(name, header, connection):
    """Empty cells as the row checks read them (COPY leaves them NULL), and the periods in order."""
    start, end = PLAIN_FILES[name]
    with connection.cursor() as cursor:
        for column in FILES[name]:
            _, empty = parser(name, column)
            if empty is not None and not (column in REQUIRED[name] and column in header):
                cursor.execute(f"UPDATE {table(name)} SET {column} = %s WHERE {column} IS NULL", [empty])
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table(name)} WHERE {start} > {end})")
        if cursor.fetchone()[0]:
            raise _Unplain
