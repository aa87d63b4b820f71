"""manage.py demo_data adds a current, a planned and an ended outage per region, on the demo customer's street."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer
from outages.models import Outage, OutageNotice
from tests.conftest import log_in, page_text


def test_the_demo_has_a_current_a_planned_and_an_ended_outage_per_region(tmp_path, client, db):
    call_command("demo_data", "--customers", "6", "--months", "3", "--output", str(tmp_path), stdout=StringIO())
    now = timezone.now()
    for slug in ("jaworzno", "bedzin-czeladz-sosnowiec"):
        outages = Outage.objects.published().filter(region__slug=slug)
        assert sorted(outage.state(now) for outage in outages) == ["current", "ended", "upcoming"]
        planned = outages.get(kind=Outage.Kind.PLANNED)
        assert 14 <= (planned.starts_at - now).days <= 31
        demo = Customer.objects.get(region__slug=slug, number="001001", sub_code="0000")
        assert outages.filter(points__customer=demo).distinct().count() == 3
        assert OutageNotice.objects.filter(customer=demo).count() == 2  # the current and the planned one
    text = page_text(client.get("/awarie-i-wylaczenia/").content.decode())
    assert "Awaria sieci ciepłowniczej — wyciek na magistrali" in text
    assert "Zakończone w ostatnich 7 dniach" in text
    pulpit = page_text(log_in(client, demo).get("/pulpit/").content.decode())
    assert "Trwa: Awaria sieci ciepłowniczej — wyciek na magistrali" in pulpit
