"""The project's settings as a fresh process sees them, environment in, behaviour out."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.environment import PDF_LIBRARIES_LOAD, needs_pdf_libraries

ROOT = Path(__file__).resolve().parents[2]
REAL_KEY = "k" + "8Hq2-vXz!pR7#mN4@wL9$tB1%cY6^dF3&gJ5*sE0(aU2)iO8_eW7+rT4" * 2
PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'DEBUG': settings.DEBUG, 'ENGINE': db['ENGINE'], 'NAME': str(db['NAME']), "
    "'TIME_ZONE': settings.TIME_ZONE, 'LANGUAGE_CODE': settings.LANGUAGE_CODE, "
    "'AUTH_USER_MODEL': settings.AUTH_USER_MODEL, 'SESSION_COOKIE_SECURE': settings.SESSION_COOKIE_SECURE, "
    "'EMAIL_BACKEND': settings.EMAIL_BACKEND, 'ALLOWED_HOSTS': settings.ALLOWED_HOSTS}))"
)


PRODUCTION_MAIL = {"EMAIL_URL": "smtp+tls://user:pass@smtp.example.pl:587"}


def run(code, **environment):
    unset = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "EMAIL_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(DJANGO_SETTINGS_MODULE="ebok.settings", EBOK_ENV_FILE="")  # a developer's .env is not read
    env.update(environment)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("key", ["", "short-key", "django-insecure-" + "x1y2z3" * 10, "a" * 60])
def test_it_refuses_to_start_without_a_real_secret_key(key):
    result = run(PRINT_SETTINGS, SECRET_KEY=key, **PRODUCTION_MAIL)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_without_a_mail_server():
    result = run(PRINT_SETTINGS, SECRET_KEY=REAL_KEY)
    assert result.returncode != 0
    assert "EMAIL_URL must be set" in result.stderr


def test_defaults_are_safe_and_polish():
    result = run(PRINT_SETTINGS, SECRET_KEY=REAL_KEY, **PRODUCTION_MAIL)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(ROOT / "var" / "ebok.sqlite3")
    assert values["TIME_ZONE"] == "Europe/Warsaw"
    assert values["LANGUAGE_CODE"] == "pl"
    assert values["AUTH_USER_MODEL"] == "accounts.User"
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["ALLOWED_HOSTS"] == []


def test_debug_runs_with_a_development_key():
    result = run(PRINT_SETTINGS, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["DEBUG"] is True


def test_the_environment_picks_database_email_and_hosts():
    result = run(
        PRINT_SETTINGS,
        SECRET_KEY=REAL_KEY,
        DATABASE_URL="postgres://ebok:secret@db.internal:5432/ebok",
        EMAIL_URL="smtp+tls://user:pass@smtp.example.pl:587",
        ALLOWED_HOSTS="ebok.example.pl,www.ebok.example.pl",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "ebok"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["ALLOWED_HOSTS"] == ["ebok.example.pl", "www.ebok.example.pl"]


def test_the_documented_production_settings_pass_the_deploy_checks(tmp_path):
    # The settings are under test, not this machine's PDF libraries: WeasyPrint answers as where they load
    # (tests/invoices/test_checks.py tests the check of the libraries).
    result = run(
        PDF_LIBRARIES_LOAD + "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        SECRET_KEY=REAL_KEY,
        **PRODUCTION_MAIL,
        ALLOWED_HOSTS="ebok.example.pl",
        CSRF_TRUSTED_ORIGINS="https://ebok.example.pl",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BEHIND_PROXY="1",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("filemail:///tmp/mail", "/tmp/mail"),  # noqa: S108 - the documented form: an absolute path
        ("filemail:////tmp/mail", "/tmp/mail"),  # noqa: S108 - what django-environ alone needs for one
        ("filemail://var/mail", str(ROOT / "var" / "mail")),  # relative: inside the project
    ],
)
def test_a_filemail_url_names_the_folder_as_written(url, folder):
    code = "import django; from django.conf import settings; django.setup(); print(settings.EMAIL_FILE_PATH)"
    result = run(code, DEBUG="1", EMAIL_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == folder


def test_it_reads_the_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"DEBUG=1\nSECRET_KEY={REAL_KEY}\nALLOWED_HOSTS=from-the-file.example\n")
    result = run(PRINT_SETTINGS, EBOK_ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["DEBUG"] is True
    result = run(PRINT_SETTINGS, EBOK_ENV_FILE=str(env_file), ALLOWED_HOSTS="from-the-environment.example")
    assert json.loads(result.stdout)["ALLOWED_HOSTS"] == ["from-the-environment.example"]


def test_without_an_env_file_the_message_says_how_to_get_one():
    result = run(PRINT_SETTINGS)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "`make run` (or `make .env`) writes a .env with DEBUG=1" in result.stderr


def test_the_test_settings_ignore_a_developers_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nEMAIL_BACKEND=accounts.mail.ConsoleAndFileBackend\n")
    code = "import django; from django.conf import settings as s; django.setup(); print(s.DEBUG, s.EMAIL_BACKEND)"
    result = run(code, DJANGO_SETTINGS_MODULE="tests.settings", EBOK_ENV_FILE=str(env_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.core.mail.backends.locmem.EmailBackend"]


RENDER_WITH_WARNINGS = (
    "import django, logging; django.setup(); from invoices.pdf import render_pdf; "
    "render_pdf('<style>p { colour: red }</style><p>x</p>'); "
    "logging.getLogger('fontTools.subset').warning('meta NOT subset; dropped'); "
    "logging.getLogger('invoices').warning('the project speaks on the console')"
)


@needs_pdf_libraries
def test_pdf_library_warnings_go_to_the_log_file_not_the_console(tmp_path):
    result = run(RENDER_WITH_WARNINGS, DEBUG="1", LOG_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    log = (tmp_path / "pdf.log").read_text()
    assert "WARNING weasyprint: Ignored `colour: red" in log
    assert "WARNING fontTools.subset: meta NOT subset" in log
    assert "weasyprint" not in result.stderr
    assert "fontTools" not in result.stderr
    assert "the project speaks on the console" in result.stderr


def test_it_refuses_make_runs_mail_backend_with_debug_off(tmp_path):
    # A development .env (make run's) left in a production checkout must not send passwords to the logs.
    env_file = tmp_path / ".env"
    env_file.write_text(f"DEBUG=1\nSECRET_KEY={REAL_KEY}\nEMAIL_BACKEND=accounts.mail.ConsoleAndFileBackend\n")
    result = run(PRINT_SETTINGS, DEBUG="0", SECRET_KEY=REAL_KEY, EBOK_ENV_FILE=str(env_file), **PRODUCTION_MAIL)
    assert result.returncode != 0
    assert "EMAIL_BACKEND accounts.mail.ConsoleAndFileBackend is for development: not with DEBUG off" in result.stderr
