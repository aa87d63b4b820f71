"""A failed migration in an upgrade (issue 13, point 6), on the fault cluster of bench/faults.py (port 5433).

    /work/main/.venv/bin/python -u bench/upgrade_fault.py

The running release (gunicorn, bench.settings) serves Pulpit and the landing page to a client that
requests them all along. The "next release" (bench.settings_upgrade) brings the app bench/upgrade with
two migrations: 0001 adds a column and succeeds, 0002 adds a column, updates every invoice and then
fails. Following the rollback procedure of docs/faults.md:

1. before: the schema is dumped (`pg_dump --schema-only`) and `showmigrations --plan` recorded;
2. `migrate` of the next release fails (exit status 1): 0002's column and its update are rolled back
   (one transaction per migration on PostgreSQL), 0001 stays applied;
3. rollback: `migrate bench_upgrade zero` with the next release's code unapplies what did apply;
4. the schema is compared with the dump of step 1: identical; the old release answered 200 throughout.
"""

import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faults import DATABASE, PORT, RESULTS, check, ensure_data
from bench.stack import PYTHON, ROOT, collectstatic, environment, get, make_sessions, setup_django, start_gunicorn


def manage(*args, settings="bench.settings"):
    env = environment(DATABASE, DJANGO_SETTINGS_MODULE=settings)
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603


def schema():
    url = DATABASE.rsplit("/", 1)
    command = ["pg_dump", "--schema-only", "-h", "127.0.0.1", "-p", "5433", "-U", "postgres", url[1]]
    dump = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    # pg_dump's \restrict line carries a random key on every run: not part of the schema.
    return "\n".join(line for line in dump.splitlines() if not line.startswith(("\\restrict", "\\unrestrict")))


def columns():
    import psycopg

    with psycopg.connect(DATABASE) as db:
        return {
            name
            for (name,) in db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE column_name IN ('upgrade_note', 'upgrade_flag')"
            )
        }


def main():
    ensure_data()
    setup_django(DATABASE)
    collectstatic()
    print("## A failed migration in an upgrade")
    manage("migrate", "bench_upgrade", "zero", settings="bench.settings_upgrade")  # a clean start after a crash
    before = schema()
    sessions = make_sessions(DATABASE, 20)
    server = start_gunicorn(DATABASE, PORT)
    log, stop = [], threading.Event()

    def client():
        n = 0
        while not stop.is_set():
            n += 1
            path = "/pulpit/" if n % 2 else "/"
            log.append((path, get(PORT, path, sessions[n % len(sessions)])[0]))
            time.sleep(0.05)

    thread = threading.Thread(target=client)
    thread.start()
    try:
        time.sleep(2)
        failed = manage("migrate", settings="bench.settings_upgrade")
        print(f"  migrate of the next release: exit status {failed.returncode}")
        print("  " + (failed.stdout + failed.stderr).strip().splitlines()[-1])
        applied = manage("showmigrations", "bench_upgrade", settings="bench.settings_upgrade").stdout.split("\n")
        print("  after the failure: " + "; ".join(line.strip() for line in applied[1:] if line.strip()))
        after_failure = columns()
        print(f"  columns present: {sorted(after_failure)}")
        time.sleep(2)
        rollback = manage("migrate", "bench_upgrade", "zero", settings="bench.settings_upgrade")
        print(f"  rollback (migrate bench_upgrade zero): exit status {rollback.returncode}")
        time.sleep(2)
    finally:
        stop.set()
        thread.join()
        server.terminate()
        server.wait()
    after = schema()
    statuses = {status: sum(1 for _, s in log if s == status) for status in {s for _, s in log}}
    print(f"  the running release answered: {statuses} ({len(log)} requests during the upgrade and rollback)")
    check(
        "the failed migration was refused as a whole", failed.returncode == 1 and "upgrade_flag" not in after_failure
    )
    check("the migration before it stayed applied (one transaction per migration)", after_failure == {"upgrade_note"})
    check("the rollback left the schema exactly as before the upgrade", rollback.returncode == 0 and after == before)
    check("the running release served every request", set(statuses) == {200})
    sys.exit(0 if all(RESULTS.values()) else 1)


if __name__ == "__main__":
    main()
