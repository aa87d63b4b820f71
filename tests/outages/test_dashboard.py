"""Pulpit: a notice for each current or upcoming outage on one of the customer's own points."""

import datetime

import pytest
from django.utils import timezone

from outages.services import outage_publish
from tests.conftest import log_in, page_text
from tests.outages.conftest import make_outage, make_point


def published(*args, **kwargs):
    outage = make_outage(*args, **kwargs)
    outage_publish(outage=outage)
    return outage


def dashboard_text(client):
    return page_text(client.get("/pulpit/").content.decode())


def test_a_current_outage_on_the_customers_point_is_shown_with_that_point(owner_client, owner, point):
    published(owner.region, [point])
    text = dashboard_text(owner_client)
    assert "Awarie i wyłączenia w Twoich punktach" in text
    assert "Trwa: Awaria sieci przy ul. Grunwaldzkiej" in text
    assert "W-0123 — ul. Grunwaldzka 12, Jaworzno" in text


def test_an_upcoming_planned_shutdown_is_shown(owner_client, owner, point):
    start = timezone.now() + datetime.timedelta(days=14)
    published(owner.region, [point], kind="planned", title="Przegląd letni", starts_at=start,
              expected_end=start + datetime.timedelta(days=2))  # fmt: skip
    assert "Planowane: Przegląd letni" in dashboard_text(owner_client)


def test_a_draft_or_an_ended_outage_is_not_shown(owner_client, owner, point):
    make_outage(owner.region, [point], title="Szkic")
    published(owner.region, [point], title="Już po awarii", ended_at=timezone.now())
    text = dashboard_text(owner_client)
    assert "Szkic" not in text
    assert "Już po awarii" not in text
    assert "Awarie i wyłączenia w Twoich punktach" not in text


def test_an_outage_on_a_sub_customers_point_is_not_the_owners(client, owner, point, sibling, sibling_point):
    published(owner.region, [sibling_point], title="Awaria budynku B")
    assert "Awaria budynku B" not in dashboard_text(log_in(client, owner))
    client.logout()
    assert "Awaria budynku B" in dashboard_text(log_in(client, sibling))


def test_an_outage_in_the_other_region_is_not_shown(client, owner, point, stranger, stranger_point):
    published(stranger.region, [stranger_point], title="Awaria w Sosnowcu")
    assert "Awaria w Sosnowcu" not in dashboard_text(log_in(client, owner))
    client.logout()
    assert "Awaria w Sosnowcu" in dashboard_text(log_in(client, stranger))


def test_only_the_customers_own_points_are_named(owner_client, owner, point, sibling_point):
    published(owner.region, [point, sibling_point])
    text = dashboard_text(owner_client)
    assert "W-0123" in text
    assert "W-0200" not in text


@pytest.mark.parametrize("outages", [1, 8])
def test_its_queries_are_pinned(owner_client, owner, point, outages, django_assert_max_num_queries):
    for n in range(outages):
        published(owner.region, [point, make_point(owner, f"W-9{n:03d}", f"ul. Krakowska {n}, Jaworzno")],
                  title=f"Awaria {n}")  # fmt: skip
    with django_assert_max_num_queries(14):
        response = owner_client.get("/pulpit/")
    assert page_text(response.content.decode()).count("Trwa: Awaria") == outages
