"""eBOK as separate processes for the tests of tests/ops: gunicorn instances and db_worker processes on the test
database, and a browser of plain HTTP requests (urllib) that keeps its cookies.

The processes read tests/ops/instance_settings.py: the test settings, with e-mail to a real SMTP server.
"""

import http.cookies
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(alias="default"):
    """The URL of the database the tests run on (pytest-django's test database), for another process."""
    db = connections[alias].settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment(folder, **extra):
    """What every process of one test shares: the database, the stored files' folder, the throttle store."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ops.instance_settings",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_DIR": str(folder / "log"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "smtp://127.0.0.1:1",  # no mail is sent from a web process; the workers get their own
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("EMAIL_BACKEND", None)
    env.update(extra)
    return env


class Process:
    def __init__(self, name, command, env, folder):
        self.name, self.env = name, env
        self.log = folder / f"{name}.log"
        with open(self.log, "wb") as log:
            self.popen = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def output(self):
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self, sig=signal.SIGTERM):
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Instance(Process):
    """One gunicorn serving eBOK on its own port, as a second server or a second machine would."""

    def __init__(self, name, env, folder):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "ebok.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        # No control socket: gunicorn's default path is one per user, which two instances on one machine would share.
        super().__init__(name, [*command, "--workers", "1", "--timeout", "60", "--no-control-socket"], env, folder)

    def stop(self, sig=signal.SIGINT):
        super().stop(sig)  # gunicorn's quick shutdown: the test has no request left in flight

    def wait_until_up(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s:\n{self.output()}")


def worker(name, env, folder):
    """A `manage.py db_worker` that names itself `name` in the task rows it takes."""
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
        "--skip-checks",
    ]
    return Process(name, [*command, "--worker-id", name], env, folder)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One visitor's browser: cookies kept whichever instance set them (all of them share one host name in
    production, behind one address), redirects not followed, so each answer can be checked."""

    def __init__(self):
        self.cookies = {}
        self.opener = urllib.request.build_opener(_NoRedirects)

    def request(self, instance, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(instance.url + path, data=body)  # noqa: S310 - our own server
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx answers
            response = error
        with response:
            answer = Answer(response.status, response.headers, response.read())
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return answer

    def get(self, instance, path):
        return self.request(instance, path)

    def post(self, instance, path, data):
        """A form sent as a browser sends it: with the CSRF token of the page it came from."""
        page = self.get(instance, path).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        return self.request(instance, path, {"csrfmiddlewaretoken": token, **data})
