"""The real stack for bench/http_bench.py and bench/faults.py: gunicorn on a database, logged-in sessions.

Everything here talks to the servers the way a browser or an operator would (HTTP, psycopg, child
processes); nothing runs inside the server.
"""

import http.client
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
SECRET = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)


def environment(database_url, **extra):
    """The environment of eBOK's processes: production settings (DEBUG off) plus the bench's bare view."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        **extra,
    }


def collectstatic():
    env = environment("sqlite:///unused")
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603


def start_gunicorn(database_url, port, workers=2, nice=0, **extra):
    """gunicorn with `workers` sync workers on 127.0.0.1:`port`, answering; its error log in the temp folder.
    `nice` below 0 (root only) runs it ahead of the machine's other work."""
    log = open(Path(tempfile.gettempdir()) / f"bench_gunicorn_{port}.log", "w")  # noqa: SIM115 - the child's
    command = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    process = subprocess.Popen(  # noqa: S603
        (["nice", "-n", str(nice)] if nice else []) + command + ["ebok.wsgi:application"],
        cwd=ROOT,
        env=environment(database_url, **extra),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    for _ in range(300):
        try:
            if get(port, "/")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit(f"gunicorn on port {port} did not start: see {log.name}")


def get(port, path, cookie=None, timeout=30):
    """(status, body) of a GET, with the session cookie when given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def make_sessions(database_url, count, where="TRUE"):
    """Sessions of `count` random customers, written as a login writes them (the session store's own
    encoding, the user's auth hash, the login time); their keys. Other sessions are deleted."""
    import psycopg
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.middleware import LOGIN_AT, SEEN_AT
    from accounts.models import User

    keys = []
    now = time.time()
    with psycopg.connect(database_url) as db:
        db.execute("DELETE FROM django_session")
        users = db.execute(
            f"SELECT id, password FROM accounts_user WHERE customer_id IS NOT NULL AND {where} "
            "ORDER BY random() LIMIT %s",
            [count],
        ).fetchall()
        expire = db.execute("SELECT now() + interval '12 hours'").fetchone()[0]
        for user_id, password in users:
            data = {
                "_auth_user_id": str(user_id),
                "_auth_user_backend": "accounts.backends.CustomerBackend",
                "_auth_user_hash": User(password=password).get_session_auth_hash(),
                LOGIN_AT: now,
                SEEN_AT: now,
            }
            key = secrets.token_hex(16)
            db.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s)",
                [key, SessionStore().encode(data), expire],
            )
            keys.append(key)
    return keys


def setup_django(database_url):
    """Django in this process on `database_url`, with the same settings and key as the servers."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(environment(database_url))
    import django

    django.setup()
