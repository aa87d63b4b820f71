"""Load through the real stack (issue 13, point 5): gunicorn with 2 workers on PostgreSQL, driven by wrk.

    apt-get install wrk            # Debian's package
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_load_5k /work/main/.venv/bin/python bench/load_data.py \
        --customers 5000           # and ebok_load (50,000), ebok_load_500k (500,000): bench/load_data.py
    /work/main/.venv/bin/python -u bench/http_bench.py --databases ebok_load_5k ebok_load [ebok_load_500k] \
        [--nice -10]

One gunicorn (2 sync workers, `bench.settings`: the production settings plus the bare view of
bench/urls.py) per database, all started at once on their own ports. For each, sessions are made directly
(the session store's own encoding, as a login makes them) for a random sample of customers; wrk spreads
the logged-in requests over them, one cookie after another. Then, in rounds, each page is measured on every
database right after the bare view rendering a page of the same size through the same gunicorn, so each
ratio comes from minutes of the same machine. Pages: the landing page and login page (anonymous), Pulpit,
Faktury and Zużycie ciepła (logged in). Per page: throughput (requests/s), p50/p99 latency, errors (socket
errors, timeouts and non-2xx/3xx answers). Medians over the rounds are printed as a Markdown table.

Last, unless --no-flood: a flood of "Pobierz hasło do systemu" POSTs from one address (127.0.0.1) against
the first database given after the last, the 429's latency, and the e-mails the worker then queues
(`db_worker --batch`), counted as EmailDelivery rows per code.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import PYTHON, ROOT, collectstatic, environment, get, make_sessions, setup_django, start_gunicorn

PG = "postgres://postgres@127.0.0.1:5432/"

LUA = r"""
local cookies, n = {}, 0
function init(args)
  if args[1] then for line in io.lines(args[1]) do cookies[#cookies + 1] = line end end
  n = math.random(#cookies > 0 and #cookies or 1)
end
function request()
  if #cookies > 0 then
    n = n % #cookies + 1
    wrk.headers["Cookie"] = "sessionid=" .. cookies[n]
  end
  return wrk.format("GET")
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50": %f, "p90": %f, "p99": %f, "max": %f, "errors": %d, "status": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, e.connect + e.read + e.write + e.timeout, e.status))
end
"""

PAGES = [  # label, path, logged in
    ("Strona główna", "/", False),
    ("Logowanie", "/jaworzno/logowanie/", False),
    ("Pulpit", "/pulpit/", True),
    ("Faktury", "/faktury/", True),
    ("Zużycie ciepła", "/zuzycie-ciepla/", True),
]


def prioritise(databases, nice):
    """Give the PostgreSQL backends serving `databases` (this benchmark's own) the priority of gunicorn."""
    import psycopg

    with psycopg.connect(PG + "postgres") as db:
        pids = [
            str(pid) for (pid,) in db.execute("SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", [databases])
        ]
    if pids:
        subprocess.run(["renice", "-n", str(nice), "-p", *pids], capture_output=True, check=False)  # noqa: S603, S607


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """{pid: user + system CPU seconds} of the processes still alive."""
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return times


def serving_pids(master, database):
    """The gunicorn workers of `master` and the PostgreSQL backends connected to `database`."""
    import psycopg

    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    with psycopg.connect(PG + "postgres") as db:
        backends = [
            str(pid) for (pid,) in db.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
        ]
    return children, backends


def wrk(port, path, cookies_file, seconds, connections, nice=0, serving=None):
    command = (["nice", "-n", str(nice)] if nice else []) + [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        LUA_FILE,
    ]
    command += [f"http://127.0.0.1:{port}{path}"] + (["--", cookies_file] if cookies_file else [])
    if serving:
        before = [cpu_seconds(pids) for pids in serving_pids(*serving)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    result = json.loads(output.split("RESULT ", 1)[1])
    result["rps"] = result["requests"] / result["seconds"]
    if serving:
        # CPU per request of the gunicorn workers and of the database's backends (a backend that connected
        # during the run counts from its start).
        after = [cpu_seconds(pids) for pids in serving_pids(*serving)]
        spent = [sum(t - b.get(pid, 0) for pid, t in a.items()) for a, b in zip(after, before, strict=True)]
        result["app_ms"], result["db_ms"] = (1000 * cpu / max(1, result["requests"]) for cpu in spent)
        result["cpu_ms"] = result["app_ms"] + result["db_ms"]
    return result


def flood(port, database, count, threads):
    """`count` password requests from one address, `threads` at a time; the answers and the mails."""
    import psycopg

    with psycopg.connect(PG + database, autocommit=True) as db:
        db.execute("DELETE FROM accounts_throttle")
        db.execute("DELETE FROM accounts_emaildelivery")
        db.execute("DELETE FROM django_tasks_database_dbtaskresult")
        numbers = [
            row[0]
            for row in db.execute(
                "SELECT c.number FROM customers_customer c JOIN customers_region r ON r.id = c.region_id "
                "WHERE r.slug = 'jaworzno' ORDER BY c.number LIMIT 5"
            )
        ]
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/jaworzno/pobierz-haslo/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def post(n):
        number = numbers[0] if n % 2 else numbers[n % len(numbers)]  # half for one mailbox
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "odbiorca": number, "pododbiorca": "0000"})
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        c.request(
            "POST",
            "/jaworzno/pobierz-haslo/",
            body,
            {"Cookie": f"csrftoken={csrf_cookie}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        r = c.getresponse()
        r.read()
        return r.status, (time.perf_counter() - started) * 1000, number

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(post, range(count)))
    wall = time.perf_counter() - started
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=environment(PG + database),
        check=True,
        capture_output=True,
    )
    with psycopg.connect(PG + database) as db:
        mails = db.execute(
            "SELECT c.number, count(*) FROM accounts_emaildelivery d "
            "JOIN customers_customer c ON c.id = d.customer_id GROUP BY c.number ORDER BY c.number"
        ).fetchall()
        waiting = db.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
        ).fetchone()[0]
    statuses = {}
    for status, _, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    refused = sorted(ms for status, ms, _ in answers if status == 429)
    accepted = {number for status, _, number in answers if status == 302}
    print(f"\nFlood: {count} POSTs to /jaworzno/pobierz-haslo/ from 127.0.0.1, {threads} at a time, {wall:.1f} s")
    print(f"  answers: {dict(sorted(statuses.items()))}; codes among the accepted: {len(accepted)}")
    if refused:
        p99 = refused[min(len(refused) - 1, int(len(refused) * 0.99))]
        print(f"  429 latency: median {statistics.median(refused):.1f} ms, p99 {p99:.1f} ms")
    print(f"  e-mails queued by the worker (EmailDelivery rows) per code: {dict(mails)}; deferred tasks: {waiting}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", nargs="+", default=["ebok_load_5k", "ebok_load"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--pages", nargs="*", help="only the pages with these paths")
    parser.add_argument("--no-flood", action="store_true")
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="e.g. -10 (root): gunicorn, wrk and this benchmark's PostgreSQL backends run ahead of the machine's "
        "other work, as on a server of their own; connections are then kept (CONN_MAX_AGE=3600) so that the "
        "backends keep their priority",
    )
    args = parser.parse_args()

    setup_django(PG + args.databases[0])
    collectstatic()
    global LUA_FILE
    work = Path(tempfile.mkdtemp(prefix="http_bench_"))
    LUA_FILE = str(work / "bench.lua")
    Path(LUA_FILE).write_text(LUA)
    servers, cookie_files = {}, {}
    pages = [p for p in PAGES if not args.pages or p[1] in args.pages]
    # Connections kept for the whole run, so that each backend's CPU is counted (and keeps its priority).
    keep = {"CONN_MAX_AGE": "3600"}
    try:
        for n, database in enumerate(args.databases):
            servers[database] = (
                8300 + n,
                start_gunicorn(PG + database, 8300 + n, args.workers, nice=args.nice, **keep),
            )
            cookie_files[database] = work / f"{database}.cookies"
            cookie_files[database].write_text("\n".join(make_sessions(PG + database, args.sessions)) + "\n")
        sizes = {}
        for _label, path, logged_in in pages:
            port = servers[args.databases[0]][0]
            cookie = cookie_files[args.databases[0]].read_text().split()[0] if logged_in else None
            status, body = get(port, path, cookie)
            assert status == 200, (path, status)
            sizes[path] = len(body)
        results = {}  # (label, database or "bare") → list of runs
        for r in range(args.rounds):
            for label, path, logged_in in pages:
                port = servers[args.databases[0]][0]
                if args.nice:
                    prioritise(args.databases, args.nice)
                for yardstick in ("bare", "layout") + (("session",) if logged_in else ()):
                    bare_path = f"/bench/{yardstick}/{sizes[path]}/"
                    serving = (servers[args.databases[0]][1].pid, args.databases[0])
                    cookies = str(cookie_files[args.databases[0]]) if yardstick == "session" else None
                    run = wrk(port, bare_path, cookies, args.seconds, args.connections, args.nice, serving)
                    results.setdefault((label, yardstick), []).append(run)
                for database in args.databases:
                    cookies = str(cookie_files[database]) if logged_in else None
                    serving = (servers[database][1].pid, database)
                    run = wrk(servers[database][0], path, cookies, args.seconds, args.connections, args.nice, serving)
                    results.setdefault((label, database), []).append(run)
                    bare_rps = results[(label, "bare")][-1]["rps"]
                    print(
                        f"round {r + 1} {label:15} {database:15} {run['rps']:7.1f} req/s "
                        f"(bare {bare_rps:7.1f}: {run['rps'] / bare_rps:4.0%}) p99 {run['p99']:6.1f} ms "
                        f"errors {run['errors'] + run['status']} CPU {run['cpu_ms']:.2f} ms/request "
                        f"(bare {results[(label, 'bare')][-1]['cpu_ms']:.2f})",
                        flush=True,
                    )
        report(args, pages, sizes, results)
        if not args.no_flood:
            flood(servers[args.databases[-1]][0], args.databases[-1], args.flood, 8)
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait()


def report(args, pages, sizes, results):
    def med(runs, key):
        return statistics.median(run[key] for run in runs)

    print(
        f"\n{args.connections} connections, {args.workers} gunicorn workers, nice {args.nice}, {args.rounds} rounds "
        f"of {args.seconds} s; medians over the rounds (ratio: median of the per-round ratios)\n"
    )
    print(
        "| page | bytes | database | req/s | bare req/s | **ratio to bare** (min–max) | layout req/s | to layout "
        "| login floor req/s (to bare) | p50 ms | p99 ms (max) | errors |"
    )
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, path, _ in pages:
        bare, layout = results[(label, "bare")], results[(label, "layout")]
        for database in args.databases:
            runs = results[(label, database)]
            ratios = [run["rps"] / b["rps"] for run, b in zip(runs, bare, strict=True)]
            to_layout = [run["rps"] / b["rps"] for run, b in zip(runs, layout, strict=True)]
            errors = sum(run["errors"] + run["status"] for run in runs)
            floor = "–"
            if floor_runs := results.get((label, "session")):
                to_bare = statistics.median(f["rps"] / b["rps"] for f, b in zip(floor_runs, bare, strict=True))
                floor = f"{med(floor_runs, 'rps'):.0f} ({to_bare:.0%})"
            print(
                f"| {label} | {sizes[path]:,} | {database} | {med(runs, 'rps'):.0f} | {med(bare, 'rps'):.0f} | "
                f"**{statistics.median(ratios):.0%}** ({min(ratios):.0%}–{max(ratios):.0%}) | "
                f"{med(layout, 'rps'):.0f} | {statistics.median(to_layout):.0%} | {floor} | {med(runs, 'p50'):.1f} | "
                f"{med(runs, 'p99'):.1f} ({max(run['p99'] for run in runs):.1f}) | {errors} |"
            )
    print(
        "\nCPU per request (gunicorn workers + the database's backends; wrk and the rest of the machine not "
        "counted): what the throughput ratio would be on cores of its own\n"
    )
    print(
        "| page | database | app ms | db ms | CPU ms | bare CPU ms | **bare / page** (min–max) | layout CPU ms "
        "| login floor CPU ms |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, _, _ in pages:
        bare, layout = results[(label, "bare")], results[(label, "layout")]
        for database in args.databases:
            runs = results[(label, database)]
            ratios = [b["cpu_ms"] / run["cpu_ms"] for run, b in zip(runs, bare, strict=True)]
            floor_runs = results.get((label, "session"))
            floor = f"{med(floor_runs, 'cpu_ms'):.2f}" if floor_runs else "–"
            print(
                f"| {label} | {database} | {med(runs, 'app_ms'):.2f} | {med(runs, 'db_ms'):.2f} | "
                f"{med(runs, 'cpu_ms'):.2f} | {med(bare, 'cpu_ms'):.2f} | **{statistics.median(ratios):.0%}** "
                f"({min(ratios):.0%}–{max(ratios):.0%}) | {med(layout, 'cpu_ms'):.2f} | {floor} |"
            )
    if len(args.databases) > 1:
        print("\nGrowth: CPU per request of each larger database over the smallest, per round (median, min–max)\n")
        for label, _, _ in pages:
            base = results[(label, args.databases[0])]
            for database in args.databases[1:]:
                growth = [b["cpu_ms"] / a["cpu_ms"] for a, b in zip(base, results[(label, database)], strict=True)]
                print(
                    f"- {label}: {database} / {args.databases[0]} = {statistics.median(growth):.2f}× "
                    f"({min(growth):.2f}–{max(growth):.2f})"
                )
    if len(args.databases) > 1:
        print("\nGrowth: throughput of the smallest database over each larger one, per round (median, min–max)\n")
        for label, _, _ in pages:
            base = results[(label, args.databases[0])]
            for database in args.databases[1:]:
                growth = [a["rps"] / b["rps"] for a, b in zip(base, results[(label, database)], strict=True)]
                print(
                    f"- {label}: {args.databases[0]} / {database} = {statistics.median(growth):.2f}× "
                    f"({min(growth):.2f}–{max(growth):.2f})"
                )


LUA_FILE = ""

if __name__ == "__main__":
    main()
