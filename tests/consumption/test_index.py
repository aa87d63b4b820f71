import datetime
from decimal import Decimal

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import MeteringPoint
from outages.models import Outage
from outages.services import outage_publish
from tests.consumption.conftest import add_month_readings, add_reading
from tests.outages.conftest import make_outage

URL = reverse("consumption:index")


def page(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return response, lxml.html.fromstring(response.content.decode())


def number(text):
    """A number as the page prints it (1 234,567) back to a Decimal."""
    return Decimal(text.strip().replace("\xa0", "").replace(" ", "").replace(",", "."))


def table_rows(doc, table_id, section="tbody"):
    return [
        [cell.text_content().strip() for cell in row.xpath("th|td")]
        for row in doc.xpath(f"//table[@id='{table_id}']/{section}/tr")
    ]


def test_it_requires_a_logged_in_customer(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("landing")


def test_it_is_in_the_menu(owner_client, point):
    response, _ = page(owner_client)
    assert f'href="{URL}" aria-current="page">Zużycie ciepła' in response.content.decode()


def test_it_shows_each_point_with_address_tariff_and_power(owner_client, point, second_point):
    add_month_readings(point, 2026, {1: "10.000"})
    _, doc = page(owner_client)
    assert [h.text_content() for h in doc.xpath("//article[@class='point']/h3")] == ["Punkt W-0123", "Punkt W-0124"]
    facts = doc.xpath("//article[@class='point']")[0].xpath(".//dd/text()")
    assert facts == ["ul. Grunwaldzka 12, Jaworzno", "A1", "0,2500 MW"]
    assert "0,1250 MW" in doc.xpath("//article[@class='point']")[1].text_content()
    assert len(doc.xpath("//h1")) == 1


def test_it_lists_periods_newest_first_and_tells_estimates_apart(owner_client, point):
    add_month_readings(point, 2026, {1: "120.125", 2: "95.500", 3: "1234.000"}, estimates={2})
    _, doc = page(owner_client)
    rows = table_rows(doc, f"okresy-{point.pk}")
    assert [row[0] for row in rows] == ["01.03.2026", "01.02.2026", "01.01.2026"]
    assert [row[2] for row in rows] == ["odczyt rzeczywisty", "szacunek", "odczyt rzeczywisty"]
    assert [number(row[4]) for row in rows] == [Decimal("1234.000"), Decimal("95.500"), Decimal("120.125")]
    assert rows[0][4] == "1\xa0234,000"
    assert len(doc.xpath(f"//table[@id='okresy-{point.pk}']//tr[@class='is-estimate']")) == 1
    footer = table_rows(doc, f"okresy-{point.pk}", "tfoot")[0]
    assert footer == ["Razem w 2026 (w tym szacunki: 1)", "1\xa0449,625"]


def test_the_year_selector_reaches_back_over_all_years(owner_client, point):
    for year in (2019, 2022, 2026):
        add_month_readings(point, year, {6: "1.000"})
    _, doc = page(owner_client)
    assert doc.xpath("//select[@name='rok']/option/@value") == ["2026", "2022", "2019"]
    assert doc.xpath("//select[@name='rok']/option[@selected]/@value") == ["2026"]

    _, doc = page(owner_client, rok="2019")
    assert doc.xpath("//select[@name='rok']/option[@selected]/@value") == ["2019"]
    assert [row[0] for row in table_rows(doc, f"okresy-{point.pk}")] == ["01.06.2019"]


def test_a_year_without_readings_gets_a_clear_message(owner_client, point):
    add_month_readings(point, 2026, {1: "1.000"})
    for bad in ("1999", "abc"):
        response, doc = page(owner_client, rok=bad)
        assert doc.xpath("//p[@role='alert']/text()") == [f"Nie ma odczytów za rok {bad}. Wybierz rok z listy."]
        assert "Okresy rozliczeniowe w roku 2026" in response.content.decode()


def test_it_shows_totals_per_year_per_point_and_their_sum(owner_client, point, second_point):
    add_month_readings(point, 2025, {1: "10.000", 12: "5.500"})
    add_month_readings(point, 2026, {1: "7.000"})
    add_month_readings(second_point, 2026, {1: "3.250", 2: "1.000"})
    _, doc = page(owner_client)
    assert table_rows(doc, "lata") == [
        ["2026", "7,000", "4,250", "11,250"],
        ["2025", "15,500", "—", "15,500"],
    ]
    _, doc = page(owner_client, punkt=second_point.identifier)
    assert table_rows(doc, "lata") == [["2026", "4,250"]]


def test_it_shows_each_point_or_the_sum_of_all(owner_client, point, second_point):
    add_month_readings(point, 2026, {1: "7.000"})
    add_month_readings(second_point, 2026, {1: "3.250"})
    _, doc = page(owner_client)
    assert table_rows(doc, "porownanie")[0] == ["Styczeń", "brak danych", "10,250", "—"]
    assert "suma wszystkich punktów" in doc.xpath("//h2[@id='porownanie-naglowek']")[0].text_content()

    _, doc = page(owner_client, punkt=second_point.identifier)
    assert table_rows(doc, "porownanie")[0] == ["Styczeń", "brak danych", "3,250", "—"]
    assert "punkt W-0124" in doc.xpath("//h2[@id='porownanie-naglowek']")[0].text_content()
    assert [a.get("id") for a in doc.xpath("//article")] == [None]
    assert doc.xpath("//article/h3/text()") == ["Punkt W-0124"]
    assert f"punkt={second_point.identifier}" in doc.xpath("//a[text()='CSV']/@href")[0]


def test_it_checks_ownership(owner_client, point, foreign_points):
    add_month_readings(point, 2025, {1: "1.000"})
    for foreign in foreign_points:
        assert owner_client.get(URL, {"punkt": foreign.identifier}).status_code == 404
    assert owner_client.get(URL, {"punkt": "999999"}).status_code == 404
    assert owner_client.get(URL, {"punkt": "x"}).status_code == 404
    # Without a point: only the customer's own readings, never the sibling's or the stranger's 999,999 GJ.
    response, doc = page(owner_client, rok="2025")
    assert "999,999" not in response.content.decode()
    assert "W-90" not in response.content.decode()
    assert table_rows(doc, "lata") == [["2025", "1,000"]]


def test_the_chart_has_one_bar_per_month_with_the_tables_numbers(owner_client, point):
    add_month_readings(point, 2025, {m: f"{m * 11}.125" for m in range(1, 13)})
    add_month_readings(point, 2026, {m: f"{m * 7}.5" for m in range(1, 11)})
    _, doc = page(owner_client)
    svg = doc.xpath("//svg")[0]
    assert svg.get("role") == "img"
    assert svg.get("viewbox") == "0 0 480 280"  # lxml.html lowercases attribute names
    assert svg.get("width") is None  # the width follows the container (CSS), the viewBox keeps the shape
    assert svg.get("aria-labelledby") == "chart-title chart-desc"
    assert svg.xpath("title/@id") == ["chart-title"]
    assert "2026" in svg.xpath("desc")[0].text_content()

    bars = {(int(b.get("data-year")), int(b.get("data-month"))): b for b in svg.xpath(".//rect[@data-gj]")}
    assert len(bars) == 22
    table = {int(r.get("data-month")): r for r in doc.xpath("//table[@id='porownanie']/tbody/tr")}
    for (year, month), bar in bars.items():
        cell = table[month].xpath("td")[0 if year == 2025 else 1].text_content()
        assert number(cell) == Decimal(bar.get("data-gj"))
        assert bar.xpath("title")[0].text_content().endswith(f": {cell} GJ")
    # Heights follow the values: the 1 GJ of a bar is the same height everywhere.
    per_gj = {round(float(b.get("height")) / float(b.get("data-gj")), 3) for b in bars.values()}
    assert len(per_gj) == 1


def test_the_year_comparison_with_missing_months(owner_client, point):
    add_month_readings(point, 2025, {1: "100.000", 2: "80.000", 3: "50.000"})
    add_month_readings(point, 2026, {1: "90.000", 3: "60.000", 4: "20.000"})
    _, doc = page(owner_client, rok="2026")
    rows = table_rows(doc, "porownanie")
    assert rows[:5] == [
        ["Styczeń", "100,000", "90,000", "−10,0\xa0%"],
        ["Luty", "80,000", "brak danych", "—"],
        ["Marzec", "50,000", "60,000", "+20,0\xa0%"],
        ["Kwiecień", "brak danych", "20,000", "—"],
        ["Maj", "brak danych", "brak danych", "—"],
    ]
    # Totals take every month with data; the change only January and March: 150 against 150.
    assert table_rows(doc, "porownanie", "tfoot") == [["Razem", "230,000", "170,000", "0,0\xa0%*"]]
    assert "tylko z miesięcy, za które są dane w obu latach" in doc.xpath("//p[@class='footnote']")[0].text_content()
    svg = doc.xpath("//svg")[0]
    assert sorted(svg.xpath(".//rect[@data-year='2026']/@data-month")) == ["1", "3", "4"]
    assert sorted(svg.xpath(".//rect[@data-year='2025']/@data-month")) == ["1", "2", "3"]


def test_a_period_across_the_new_year_counts_in_the_month_it_ends(owner_client, point):
    add_reading(point, "2025-11-15", "2025-12-14", "20.000")
    add_reading(point, "2025-12-15", "2026-01-14", "30.000")
    _, doc = page(owner_client, rok="2026")
    assert [row[:2] for row in table_rows(doc, f"okresy-{point.pk}")] == [["15.12.2025", "14.01.2026"]]
    assert table_rows(doc, "porownanie")[0] == ["Styczeń", "brak danych", "30,000", "—"]
    assert table_rows(doc, "porownanie")[11] == ["Grudzień", "20,000", "brak danych", "—"]
    assert table_rows(doc, "lata") == [["2026", "30,000"], ["2025", "20,000"]]
    assert [b.get("data-month") for b in doc.xpath("//rect[@data-year='2026']")] == ["1"]
    assert "w całości do miesiąca, w którym się kończy" in doc.xpath("//div[@class='explainer']")[0].text_content()


def test_a_customer_without_points_or_readings(owner_client, point, owner):
    response, doc = page(owner_client)
    assert "Brak odczytów" in response.content.decode()
    assert doc.xpath("//svg") == []
    point.delete()
    response, _ = page(owner_client)
    assert "żaden punkt poboru" in response.content.decode()


def make_points(owner, count, years, prefix="P"):
    points = MeteringPoint.objects.bulk_create(
        MeteringPoint(region=owner.region, customer=owner, identifier=f"{prefix}-{n:03d}", address=f"ul. Długa {n}")
        for n in range(count)
    )
    for point in points:
        for year in years:
            add_month_readings(point, year, dict.fromkeys(range(1, 13), "12.345"), estimates={2})
    return points


@pytest.mark.parametrize("query", [{}, {"rok": "2024"}])
def test_its_number_of_queries_does_not_grow_with_the_data(owner_client, owner, query):
    make_points(owner, 1, [2025])
    with CaptureQueriesContext(connection) as small:
        page(owner_client, **query)
    make_points(owner, 6, range(2021, 2027), prefix="Q")
    with CaptureQueriesContext(connection) as large:
        _, doc = page(owner_client, **query)
    assert len(doc.xpath("//article")) == 7
    assert len(large.captured_queries) == len(small.captured_queries)


def test_its_queries_are_pinned(owner_client, owner, django_assert_max_num_queries):
    points = make_points(owner, 10, range(2022, 2027))
    with django_assert_max_num_queries(8):
        page(owner_client)
    with django_assert_max_num_queries(8):
        page(owner_client, rok="2023", punkt=points[3].identifier)


def test_only_published_outages_touching_the_periods_mark_them(owner_client, owner, point):
    """The window of the outage marks' query, at its edges: an outage ending at the first period's first
    minute marks it, one beginning right after the last period does not, nor a cancelled or an earlier one."""

    def outage(title, starts, ends):
        made = make_outage(owner.region, [point], title=title, expected_end=None,
                           starts_at=timezone.make_aware(starts), ended_at=timezone.make_aware(ends))  # fmt: skip
        outage_publish(outage=made)
        return made

    add_month_readings(point, 2026, {1: "50", 2: "45", 3: "40"})
    outage("Koniec o północy", datetime.datetime(2025, 12, 31, 22), datetime.datetime(2026, 1, 1))
    outage("Wcześniejsza", datetime.datetime(2025, 12, 1), datetime.datetime(2025, 12, 31, 23, 59))
    outage("Ostatnia noc marca", datetime.datetime(2026, 3, 31, 23, 30), datetime.datetime(2026, 4, 1, 2))
    outage("Od kwietnia", datetime.datetime(2026, 4, 1), datetime.datetime(2026, 4, 2))
    cancelled = outage("Odwołana", datetime.datetime(2026, 2, 10), datetime.datetime(2026, 2, 11))
    Outage.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())

    _, doc = page(owner_client, rok="2026")
    marked = [
        bool(row.xpath(".//span[contains(@class, 'kind--outage')]"))
        for row in doc.xpath("//table[@class='periods']/tbody/tr")
    ]
    assert marked == [True, False, True]  # March, February, January
    listed = [item.text_content() for item in doc.xpath("//div[contains(@class, 'outage-periods')]//li")]
    assert [text.split(": ")[1].split(" (")[0] for text in listed] == ["Ostatnia noc marca", "Koniec o północy"]
