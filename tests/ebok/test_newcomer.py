"""A fresh clone, as a newcomer meets it: `make run` writes a development .env, after which the README's
`.venv/bin/python manage.py ...` commands work as printed (before it, they say how to get one)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
# Settings a developer's shell may carry; a fresh clone's commands must not depend on them.
UNSET = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "EMAIL_BACKEND", "EBOK_ENV_FILE",
         "DJANGO_SETTINGS_MODULE", "MEDIA_ROOT", "LOG_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE")  # fmt: skip


def fresh_copy(target):
    """The project's files without anything a run leaves behind, and the test's interpreter as .venv."""
    ignored = shutil.ignore_patterns(".git", ".venv", "var", ".env", "__pycache__", ".*_cache", "*.egg-info")
    shutil.copytree(ROOT, target, ignore=ignored)
    (target / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return target


def shell(clone, *command, **extra):
    env = {key: value for key, value in os.environ.items() if key not in UNSET} | extra
    return subprocess.run(  # noqa: S603
        [str(part) for part in command], cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    return fresh_copy(tmp_path_factory.mktemp("newcomer") / "ebok")


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
def test_the_readme_commands_work_in_a_fresh_clone_after_make_writes_the_env_file(clone):
    python = ".venv/bin/python"
    before = shell(clone, python, "manage.py", "migrate", "--no-input")
    assert before.returncode != 0
    assert "SECRET_KEY must be set" in before.stderr
    assert "`make run` (or `make .env`)" in before.stderr

    written = shell(clone, MAKE, ".env", f"PYTHON={sys.executable}")
    assert written.returncode == 0, written.stderr
    env_file = (clone / ".env").read_text()
    assert "DEBUG=1\n" in env_file
    key = re.search(r"^SECRET_KEY=(\S{50,})$", env_file, re.M)[1]
    assert (clone / ".env").stat().st_mode & 0o077 == 0  # the key is the developer's alone
    assert shell(clone, MAKE, ".env", f"PYTHON={sys.executable}").returncode == 0
    assert key in (clone / ".env").read_text()  # written once: sessions survive the next make run

    for command in (
        ["migrate", "--no-input"],
        ["demo_data", "--customers", "6", "--months", "3"],
        ["createsuperuser", "--no-input", "--username", "bok", "--email", "bok@example.com"],
        ["import_ksef", "var/demo-export/jaworzno/ksef", "--region", "jaworzno", "--dry-run"],
        ["import_billing", "var/demo-export/jaworzno", "--region", "jaworzno", "--dry-run"],
    ):
        result = shell(clone, python, "manage.py", *command, DJANGO_SUPERUSER_PASSWORD="Staff password 2026!")
        assert result.returncode == 0, f"{command}: {result.stderr}{result.stdout}"
    assert (clone / "var" / "ebok.sqlite3").is_file()
    demo = shell(clone, python, "manage.py", "demo_data", "--if-empty")
    assert demo.stdout.count("/logowanie/ — Odbiorca 1001, hasło zielony-kaloryfer-42") == 2


def test_the_readme_runs_every_manage_py_command_with_the_projects_python():
    readme = (ROOT / "README.md").read_text()
    interpreters = set(re.findall(r"([\w./]*python) manage\.py", readme))
    assert interpreters == {".venv/bin/python"}


def test_the_readme_begins_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if not line.startswith(" ")]
    assert commands == ["make run", "make test"]
