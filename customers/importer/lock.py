"""One import at a time: a PostgreSQL session advisory lock, or on SQLite an exclusive lock on a file
beside the database. Taken before the run's transaction starts and released after it ended (a killed
process loses both with its connection). A second run does not wait: it refuses with a message."""

import contextlib
import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

# pg_advisory locks are keyed by a bigint: "eBOK" in ASCII, the same for import_billing and import_ksef.
ADVISORY_KEY = 0x65424F4B

BUSY = _("Trwa inny import danych (blokada importu jest zajęta). Spróbuj ponownie, gdy się zakończy.")


def lock_file_path(connection):
    name = str(connection.settings_dict["NAME"])
    if connection.is_in_memory_db() or name.startswith("file:"):
        # An in-memory database lives in one process only, so its lock is that process's: two test
        # runs side by side must not refuse each other's imports.
        digest = hashlib.sha256(f"{name}:{os.getpid()}".encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"ebok-import-{digest}.lock"
    return Path(f"{name}.import.lock")


@contextlib.contextmanager
def import_lock(*, connection):
    """Hold the import lock for the block."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            if not cursor.fetchone()[0]:
                raise CommandError(str(BUSY))  # in the language active now, not when printed
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
        return
    with open(lock_file_path(connection), "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CommandError(str(BUSY)) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
