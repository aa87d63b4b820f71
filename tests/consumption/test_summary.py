import datetime
from decimal import Decimal

import lxml.html
from django.urls import reverse
from django.utils import timezone

from consumption.summary import consumption_summary
from tests.consumption.conftest import add_month_readings, add_reading

TODAY = datetime.date(2026, 11, 26)


def test_this_year_so_far_against_the_same_months_of_last_year(owner, point, second_point):
    add_month_readings(point, 2025, dict.fromkeys(range(1, 13), "10.000"))
    add_month_readings(point, 2026, dict.fromkeys(range(1, 11), "9.000"))
    add_month_readings(second_point, 2026, dict.fromkeys(range(1, 11), "1.500"))
    summary = consumption_summary(customer=owner, today=TODAY)
    comparison = summary["comparison"]
    assert summary["last_month"].month == 10
    assert comparison.current_total == Decimal("105.000")
    # January to October of 2025 only: November and December have not happened yet this year.
    assert comparison.previous_total == Decimal("100.000")
    assert comparison.change == Decimal("5.0")


def test_months_missing_last_year_are_left_out_of_the_change(owner, point):
    add_month_readings(point, 2025, {1: "10.000", 3: "10.000"})
    add_month_readings(point, 2026, {1: "12.000", 2: "50.000", 3: "13.000"})
    comparison = consumption_summary(customer=owner, today=TODAY)["comparison"]
    assert comparison.current_total == Decimal("75.000")
    assert comparison.change == Decimal("25.0")  # (12 + 13) against (10 + 10)
    assert not comparison.all_months_comparable


def test_it_counts_a_period_in_the_month_it_ends(owner, point):
    add_reading(point, "2025-12-15", "2026-01-14", "30.000")
    summary = consumption_summary(customer=owner, today=datetime.date(2026, 2, 1))
    assert summary["comparison"].current_total == Decimal("30.000")
    assert summary["comparison"].previous_total == Decimal("0.000")
    assert summary["last_month"].month == 1


def test_only_the_customers_own_readings(owner, point, foreign_points):
    assert consumption_summary(customer=owner, today=datetime.date(2025, 6, 1)) is None
    add_month_readings(point, 2025, {1: "1.000"})
    summary = consumption_summary(customer=owner, today=datetime.date(2025, 6, 1))
    assert summary["comparison"].current_total == Decimal("1.000")


def test_the_dashboard_shows_the_change(owner_client, point, django_assert_max_num_queries):
    year = timezone.localdate().year
    add_month_readings(point, year - 1, {1: "200.000", 2: "100.000", 12: "999.000"})
    add_month_readings(point, year, {1: "150.000", 2: "120.000"})
    with django_assert_max_num_queries(8):  # the whole Pulpit: balance, open cases, outages on its points
        response = owner_client.get(reverse("dashboard"))
    section = lxml.html.fromstring(response.content.decode()).xpath("//section[@class='dashboard-consumption']")[0]
    text = " ".join(section.text_content().split())
    assert f"Styczeń–luty {year}: 270,000 GJ." in text
    assert f"W tych samych miesiącach {year - 1}: 300,000 GJ." in text
    assert "Zmiana: −10,0 %" in text.replace("\xa0", " ")
    assert section.xpath(".//a/@href") == [reverse("consumption:index")]


def test_the_dashboard_without_readings(owner_client, point):
    response = owner_client.get(reverse("dashboard"))
    assert "Brak odczytów z tego i poprzedniego roku." in response.content.decode()
