"""Zużycie ciepła marks the billing periods in which an outage touched the point."""

import datetime

from django.utils import timezone

from outages.services import outage_publish
from tests.conftest import page_text
from tests.consumption.conftest import add_month_readings
from tests.outages.conftest import make_outage

MARK = '<span class="kind kind--outage">przerwa w dostawie</span>'


def at(day, hour=8):
    return timezone.make_aware(datetime.datetime(2026, *day, hour))


def rows(html):
    """The rows of the periods table, newest first, as text, each with whether it is marked."""
    body = html[html.index('class="periods"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [(page_text("<tr" + row)[:10], MARK in row) for row in body.split("<tr")[1:]]


def test_periods_touched_by_an_outage_are_marked_and_the_outage_is_listed(owner_client, owner, point):
    add_month_readings(point, 2026, {1: "50", 2: "45", 3: "40"})
    outage = make_outage(owner.region, [point], title="Awaria magistrali", starts_at=at((1, 30)),
                         expected_end=at((2, 3)), ended_at=at((2, 2)))  # fmt: skip
    outage_publish(outage=outage)
    html = owner_client.get("/zuzycie-ciepla/?rok=2026").content.decode()
    assert rows(html) == [("01.03.2026", False), ("01.02.2026", True), ("01.01.2026", True)]
    assert "Awaria: Awaria magistrali (ogrzewanie i ciepła woda), 30.01.2026 08:00 – 02.02.2026 08:00" in page_text(
        html
    )


def test_a_draft_or_another_customers_outage_marks_nothing(owner_client, owner, point, sibling_point):
    add_month_readings(point, 2026, {1: "50"})
    make_outage(owner.region, [point], starts_at=at((1, 10)), expected_end=at((1, 11)))
    outage_publish(outage=make_outage(owner.region, [sibling_point], starts_at=at((1, 10)), expected_end=at((1, 11))))
    html = owner_client.get("/zuzycie-ciepla/?rok=2026").content.decode()
    assert MARK not in html
    assert "przerwa w dostawie" not in page_text(html)


def test_the_page_takes_one_query_more(owner_client, owner, point, django_assert_max_num_queries):
    add_month_readings(point, 2026, {1: "50", 2: "45"})
    for day in range(1, 20):
        outage = make_outage(owner.region, [point], starts_at=at((1, day)), ended_at=at((1, day), 20))
        outage_publish(outage=outage)
    with django_assert_max_num_queries(9):  # the page's 8 (tests/consumption) and the outages
        html = owner_client.get("/zuzycie-ciepla/?rok=2026").content.decode()
    assert html.count(MARK) == 1
