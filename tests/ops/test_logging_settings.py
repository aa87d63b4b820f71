"""The production settings write JSON lines to the console (the journal), the development ones key=value text."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" + "8Hq2-vXz!pR7#mN4@wL9$tB1%cY6^dF3&gJ5*sE0(aU2)iO8_eW7+rT4" * 2
LOG_A_LINE = (
    "import django, logging; django.setup(); "
    "logging.getLogger('ebok.security').warning('login_failed', extra={'ebok': {'event': 'login_failed', 'code': "
    "'001234-0000'}})"
)


def run(**environment):
    unset = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "EMAIL_BACKEND", "LOG_FORMAT")
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(DJANGO_SETTINGS_MODULE="ebok.settings", EBOK_ENV_FILE="", SECRET_KEY=KEY, **environment)
    return subprocess.run(
        [sys.executable, "-c", LOG_A_LINE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )


def test_production_logs_one_json_object_per_line():
    result = run(EMAIL_URL="smtp+tls://user:pass@smtp.example.pl:587")
    (line,) = result.stderr.splitlines()
    fields = json.loads(line)
    assert (fields["level"], fields["logger"], fields["event"], fields["code"]) == (
        "WARNING", "ebok.security", "login_failed", "001234-0000"
    )  # fmt: skip


def test_development_logs_key_value_text():
    result = run(DEBUG="1")
    assert result.stderr.rstrip().endswith(
        'WARNING ebok.security login_failed event="login_failed" code="001234-0000"'
    )
