"""Staff read outages, events and updates in the admin in Polish time, not UTC: near midnight the day differs."""

import datetime

from django.utils import timezone

from outages.models import Outage, OutageEvent, OutageUpdate
from tests.outages.conftest import make_outage

# 23:30 UTC on 1 December is 00:30 on 2 December in Warsaw (CET, UTC+1).
LATE = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=datetime.UTC)


def test_an_outage_names_its_local_start_day(owner):
    outage = make_outage(owner.region, starts_at=LATE, expected_end=LATE + datetime.timedelta(hours=2))
    assert str(Outage.objects.get(pk=outage.pk)).endswith("(2026-12-02)")


def test_an_event_and_an_update_show_local_time(owner):
    outage = make_outage(owner.region, starts_at=LATE, expected_end=LATE + datetime.timedelta(hours=2))
    event = OutageEvent.objects.create(outage=outage, kind=OutageEvent.Kind.PUBLISHED, at=LATE)
    update = OutageUpdate.objects.create(outage=outage, at=LATE, text="Ekipa na miejscu.")
    assert str(event) == "opublikowanie 2026-12-02 00:30"
    assert str(update) == "2026-12-02 00:30"
    assert timezone.get_current_timezone_name() == "Europe/Warsaw"
