"""Profile eBOK's pages in this process: the time of one request of each page, and where it goes.

Django's test Client against a load database with bench.settings (the production settings, DEBUG off, the
cached template loader), logged in as a random customer by a session written as a login writes it (one new
row in django_session, deleted at the end; nothing else is written). Each page is requested `--requests`
times after a warm-up; the median and mean wall time per request are printed, and with --profile the
cProfile functions that take the most time (cumulative) for each page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebok_load .venv/bin/python bench/profile_pages.py \\
        --requests 200 [--profile 30 --sort tottime] [--pages /pulpit/ /faktury/]

The bare view and the layout of bench/urls.py come first, as yardsticks. In-process times leave out
gunicorn and the PostgreSQL backend's CPU, so they are lower than http_bench.py's CPU per request.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.http_bench import PAGES
from bench.stack import collectstatic, environment


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order: cumulative or tottime")
    parser.add_argument("--pages", nargs="*", help="paths to profile (default: all of http_bench's pages)")
    parser.add_argument("--no-collectstatic", action="store_true")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok_load")
    if not args.no_collectstatic:
        collectstatic()
    os.environ.update(environment(database_url))
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from accounts.middleware import LOGIN_AT, SEEN_AT
    from accounts.models import User

    user = User.objects.filter(customer__isnull=False).order_by("?").first()
    session = SessionStore(session_key=secrets.token_hex(16))
    session.update(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "accounts.backends.CustomerBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
            LOGIN_AT: time.time(),
            SEEN_AT: time.time(),
        }
    )
    session.create()
    client = Client(HTTP_HOST="127.0.0.1")
    try:
        yardsticks = [
            ("bare view", "/bench/bare/6000/", False),
            ("layout", "/bench/layout/6000/", False),
            ("login floor", "/bench/session/6000/", True),
        ]
        for label, path, logged_in in yardsticks + PAGES:
            if args.pages and path not in args.pages:
                continue
            client.cookies.clear()
            if logged_in:
                client.cookies["sessionid"] = session.session_key
            for _ in range(5):
                assert client.get(path).status_code == 200, path
            profiler = cProfile.Profile() if args.profile else None
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                client.get(path)
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - started) * 1000)
            median, mean = statistics.median(times), statistics.mean(times)
            print(f"{label:16} {path:24} median {median:6.2f} ms  mean {mean:6.2f} ms")
            if profiler:
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)
    finally:
        session.delete()


if __name__ == "__main__":
    main()
