"""manage.py outage_notices runs from a systemd timer, as einvoices does: stuck outage e-mails are recovered."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"


def started_by_timers():
    commands = []
    for timer in SYSTEMD.glob("*.timer"):
        service = timer.with_suffix(".service").read_text()
        commands += re.findall(r"^ExecStart=.* manage\.py (\S+)", service, re.MULTILINE)
    return commands


def test_outage_notices_runs_from_a_timer_beside_einvoices():
    assert "einvoices" in started_by_timers()
    assert "outage_notices" in started_by_timers()
    service = (SYSTEMD / "ebok-einvoices.service").read_text()
    assert service.index("manage.py einvoices") < service.index("manage.py outage_notices")


def test_the_deployment_and_operations_docs_name_it():
    assert "`manage.py outage_notices`" in (ROOT / "docs" / "deployment.md").read_text()
    assert "manage.py outage_notices" in (ROOT / "docs" / "operations.md").read_text()
