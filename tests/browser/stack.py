"""eBOK as production runs it, started for one test: gunicorn, `manage.py db_worker` and a mail server
(aiosmtpd), on a PostgreSQL database of its own, with the project's settings (ebok.settings, DEBUG off)
read from the environment as the README's production section sets them.

`running_stack(folder)` creates the database `ebok_journey_<random>` beside the one DATABASE_URL names,
migrates it, collects the static files (WhiteNoise serves them, as in production), loads a small demo
export, starts the processes and yields a `Stack`; afterwards it stops them and drops the database.
"""

import contextlib
import email
import email.policy
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import environ
from aiosmtpd.controller import Controller
from django.conf import settings

START_SECONDS = 30  # a process answers within this, or the test fails with its log


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_url():
    """The PostgreSQL server of DATABASE_URL, or None when the tests run on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts; `wait_for` blocks until one matches."""

    def __init__(self):
        self.messages = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to, subject_contains, timeout=60):
        """The first message to `to` whose subject contains `subject_contains`, once the worker has sent it."""

        def found():
            return next(
                (m for m in self.messages if m["To"] == to and subject_contains in m["Subject"]),
                None,
            )

        with self._arrived:
            if not self._arrived.wait_for(found, timeout=timeout):
                subjects = [(m["To"], m["Subject"]) for m in self.messages]
                raise AssertionError(f"no e-mail to {to} about {subject_contains!r} in {timeout} s; got {subjects}")
            return found()


@dataclass
class Stack:
    url: str
    mailbox: Mailbox
    environment: dict
    logs: dict  # name: path of each process's output

    def manage(self, *arguments):
        """Runs `manage.py` with the stack's settings; its output, or an AssertionError with it."""
        return _manage(self.environment, *arguments)

    def log_tails(self, lines=40):
        return "\n".join(
            f"--- {name} ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            for name, path in self.logs.items()
        )


def _manage(environment, *arguments):
    done = subprocess.run(  # noqa: S603 - the project's own manage.py with fixed arguments
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(arguments)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _environment(database_url, folder, *, web_port, smtp_port):
    """Production settings (README: Production) but for TLS, which a proxy in front would terminate."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),  # gunicorn's control socket goes under it: two runs at once must not share one
        "LANG": "C.UTF-8",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),  # noqa: S108 - the system's default, passed on
        "DJANGO_SETTINGS_MODULE": "ebok.settings",
        "EBOK_ENV_FILE": "",  # a developer's .env (DEBUG=1) must not change what is tested
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEFAULT_FROM_EMAIL": "eBOK <ebok@sce-jaworzno.example>",
        "EBOK_BASE_URL": f"http://127.0.0.1:{web_port}",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "LOG_DIR": str(folder / "log"),
    }


@contextlib.contextmanager
def _database(server_url):
    """A new, empty database on the server of `server_url`, dropped afterwards; yields its URL."""
    import psycopg

    config = environ.Env.db_url_config(server_url)
    name = f"ebok_journey_{secrets.token_hex(4)}"
    connection = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**connection) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(**connection) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(command, environment, log):
    return subprocess.Popen(  # noqa: S603 - the project's own processes with fixed arguments
        command,
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops gunicorn's workers too
    )


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_it_answers(url, process, log):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited:\n{log.read_text()}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http://127.0.0.1 only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # not listening yet: ask again
    raise AssertionError(f"gunicorn did not answer {url} in {START_SECONDS} s:\n{log.read_text()}")


@contextlib.contextmanager
def running_stack(folder, server_url):
    folder = Path(folder)
    (folder / "log").mkdir(parents=True, exist_ok=True)
    web_port, mailbox = free_port(), Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    with _database(server_url) as database_url:
        environment = _environment(database_url, folder, web_port=web_port, smtp_port=smtp.port)
        collecting = _start([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], environment,
                            folder / "log" / "collectstatic.log")  # fmt: skip
        try:
            _manage(environment, "migrate", "--no-input", "-v0")
            # Six customers, 13 months: invoices, readings and payments of every kind in about 4 s.
            _manage(environment, "demo_data", "--customers", "6", "--months", "13", "--output", str(folder / "export"))
            assert collecting.wait(timeout=120) == 0, (folder / "log" / "collectstatic.log").read_text()
        finally:
            _stop(collecting)
        logs = {"gunicorn": folder / "log" / "gunicorn.log", "db_worker": folder / "log" / "db_worker.log"}
        stack = Stack(url=f"http://127.0.0.1:{web_port}", mailbox=mailbox, environment=environment, logs=logs)
        web = [sys.executable, "-m", "gunicorn", "ebok.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", "2",
               "--access-logfile", "-"]  # fmt: skip
        worker = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
        processes = []
        smtp.start()
        try:
            processes.append(_start(web, environment, stack.logs["gunicorn"]))
            processes.append(_start(worker, environment, stack.logs["db_worker"]))
            _wait_until_it_answers(stack.url + "/", processes[0], stack.logs["gunicorn"])
            yield stack
        finally:
            for process in processes:
                _stop(process)
            smtp.stop()
