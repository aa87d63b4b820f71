"""The deployment files of deploy/ (docs/deployment.md): the example environment passes Django's deploy checks
and names every setting, nginx accepts the site and systemd the units, and the site's X-Forwarded-For is the one
trusted proxy that accounts/throttle.py counts on. nginx and systemd-analyze are not needed to run eBOK: where
they are missing their tests are skipped, saying so."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from accounts.throttle import client_ip
from tests.environment import PDF_LIBRARIES_LOAD

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
EXAMPLE = DEPLOY / "ebok.env.example"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def example_settings():
    """The example file's variables as systemd's EnvironmentFile= reads them (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in EXAMPLE.read_text().splitlines() if line and not line.startswith("#"))
    return dict(pairs)


def run_with_the_example(code, tmp_path):
    """`python -c code` with the example file as the only settings, as an operator's manage.py reads them; the two
    folders it names are this test's (the example's /var/lib/ebok and /var/log/ebok belong to a server)."""
    unset = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(DJANGO_SETTINGS_MODULE="ebok.settings", EBOK_ENV_FILE=str(EXAMPLE))
    env.update(MEDIA_ROOT=str(tmp_path / "media"), LOG_DIR=str(tmp_path / "log"))
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_example_environment_passes_the_deploy_checks(tmp_path):
    # The settings are under test here; the PDF libraries' own check (invoices.W001/W002) is tested in
    # tests/invoices/test_checks.py, and .ci/run runs this same check on a machine that has them.
    result = run_with_the_example(
        PDF_LIBRARIES_LOAD + "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_the_example_environment_is_what_production_needs(tmp_path):
    code = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
        "'DEBUG': s.DEBUG, 'ENGINE': s.DATABASES['default']['ENGINE'], 'EMAIL_BACKEND': s.EMAIL_BACKEND, "
        "'TRUSTED_PROXIES': s.TRUSTED_PROXIES, 'SECURE_PROXY_SSL_HEADER': s.SECURE_PROXY_SSL_HEADER, "
        "'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, 'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS}))"
    )
    result = run_with_the_example(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '{"DEBUG": false, "ENGINE": "django.db.backends.postgresql", '
        '"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "TRUSTED_PROXIES": 1, '
        '"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SECURE_SSL_REDIRECT": true, '
        '"SECURE_HSTS_SECONDS": 31536000}'
    )


def test_every_setting_read_from_the_environment_is_in_the_example():
    source = (ROOT / "ebok" / "settings.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "TRUSTED_PROXIES"} <= names
    example = EXAMPLE.read_text()
    missing = sorted(name for name in names if not re.search(rf"^#?{name}=|\b{name}\b", example, re.MULTILINE))
    assert missing == [], "add them to deploy/ebok.env.example"


def test_the_example_secret_key_is_a_marked_placeholder():
    key = example_settings()["SECRET_KEY"]
    assert key.startswith("REPLACE-ME")
    assert len(key) >= 50
    assert "REPLACE" in EXAMPLE.read_text().split("SECRET_KEY=")[0].splitlines()[-2]


def test_the_sites_forwarded_for_is_the_one_proxy_the_settings_trust(settings):
    proxy = (DEPLOY / "nginx" / "ebok-proxy.conf").read_text()
    # nginx appends the address it got the request from to whatever the client sent.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in proxy
    settings.TRUSTED_PROXIES = int(example_settings()["TRUSTED_PROXIES"])
    # A client forging the header: nginx appends the real address, the portal reads the real one.
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_the_metrics_are_not_served_by_the_public_site():
    site = (DEPLOY / "nginx" / "ebok.conf").read_text()
    public, monitoring = site.split("# The monitoring server")
    assert "location = /metrics {\n        return 404;" in public
    assert "location = /healthz {\n        return 404;" in public
    assert re.findall(r"^\s*listen ([^;]+);", monitoring, re.MULTILINE) == ["127.0.0.1:9180", "[::1]:9180"]
    assert "deny all;" in monitoring


def test_the_upload_limit_fits_five_attachments_of_ten_megabytes():
    site = (DEPLOY / "nginx" / "ebok.conf").read_text()
    limits = dict(re.findall(r"location ([^{]+?) \{[^}]*?client_max_body_size (\d+)m;", site))
    assert limits == {"~ ^/(sprawy|admin)/": "55"}
    assert int(limits["~ ^/(sprawy|admin)/"]) * 1024 * 1024 > 5 * 10 * 1024 * 1024 + 1024 * 1024


def site_for_this_machine(tmp_path):
    """The nginx site with this checkout's paths, a throwaway certificate and logs in `tmp_path`, wrapped in a
    minimal nginx.conf."""
    subprocess.run(  # noqa: S603
        [shutil.which("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=ebok.example.pl", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        capture_output=True, check=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "ebok.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/ebok.example.pl/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/ebok.example.pl/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("/srv/ebok/app", str(ROOT)).replace("/var/log/nginx", str(tmp_path))
    (tmp_path / "ebok.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n    include /etc/nginx/mime.types;\n    include {tmp_path}/ebok.conf;\n}}\n"
    )
    return tmp_path / "nginx.conf"


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light): site unchecked")
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed: no certificate for nginx -t")
def test_nginx_accepts_the_site(tmp_path):
    config = site_for_this_machine(tmp_path)
    result = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-q", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed: the units are not checked")
def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify reads each unit as systemd would, and checks that the programs it starts exist (here:
    this checkout's, in place of /srv/ebok/app)."""
    units = sorted((DEPLOY / "systemd").iterdir())
    assert {unit.name for unit in units} >= {
        "ebok-web.service", "ebok-worker.service", "ebok-housekeeping.service", "ebok-housekeeping.timer",
        "ebok-einvoices.service", "ebok-einvoices.timer", "ebok-backup.service", "ebok-backup.timer",
        "ebok-cases-digest.service", "ebok-cases-digest.timer",
    }  # fmt: skip
    for unit in units:
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/ebok/app", str(ROOT)))
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("the checkout has no .venv with gunicorn (make install)")
    result = subprocess.run(  # noqa: S603
        [SYSTEMD_ANALYZE, "verify", "--man=no", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    problems = [line for line in result.stderr.splitlines() if "ebok" in line]
    assert result.returncode == 0, result.stderr
    assert problems == []


def test_the_cases_digest_runs_at_seven_on_working_days_in_polish_time_and_is_enabled():
    """README promises the staff a digest each working morning: the timer exists, says when in Warsaw's time
    (whatever the server's zone), makes up a run missed while the machine was off, and the guide enables it."""
    timer = (DEPLOY / "systemd" / "ebok-cases-digest.timer").read_text()
    assert re.findall(r"^OnCalendar=(.+)$", timer, re.MULTILINE) == ["Mon..Fri 07:00 Europe/Warsaw"]
    assert "Persistent=true" in timer.splitlines()
    service = (DEPLOY / "systemd" / "ebok-cases-digest.service").read_text()
    assert re.search(r"^ExecStart=\S+ manage\.py cases_digest$", service, re.MULTILINE)
    guide = (ROOT / "docs" / "deployment.md").read_text()
    enabled = re.findall(r"^systemctl enable --now (.+\.timer.*)$", guide, re.MULTILINE)
    timers = {path.name for path in (DEPLOY / "systemd").glob("*.timer")}
    assert timers == set(" ".join(enabled).split())


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed: the calendar is not checked")
def test_systemd_reads_the_digests_calendar_as_seven_in_warsaw_on_working_days():
    result = subprocess.run(  # noqa: S603
        [SYSTEMD_ANALYZE, "calendar", "--iterations=5", "Mon..Fri 07:00 Europe/Warsaw"],
        capture_output=True, text=True, check=False, env={**os.environ, "TZ": "UTC"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Normalized form: Mon..Fri *-*-* 07:00:00 Europe/Warsaw" in result.stdout
    elapses = re.findall(r"(?:Next elapse|Iter\. #\d+): (\w{3}) \d{4}-\d\d-\d\d (\d\d:\d\d):00 UTC", result.stdout)
    assert len(elapses) == 5
    assert {day for day, _ in elapses} <= {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert {time for _, time in elapses} <= {"05:00", "06:00"}  # 7:00 in summer or in winter time


def test_each_timer_starts_its_service_and_each_service_runs_a_command_that_exists():
    from django.core.management import get_commands

    commands = get_commands()
    for timer in (DEPLOY / "systemd").glob("*.timer"):
        service = timer.with_suffix(".service")
        assert service.exists(), f"{timer.name} has no {service.name}"
        started = re.search(r"^ExecStart=(.+)$", service.read_text(), re.MULTILINE).group(1)
        if " manage.py " in started:
            assert started.split(" manage.py ")[1].split()[0] in commands
        else:
            assert Path(started.replace("/srv/ebok/app", str(ROOT))).exists()
