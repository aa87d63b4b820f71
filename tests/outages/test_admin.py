"""Staff enter outages in the admin: points by street, by node or one by one; publishing; later changes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from outages.models import Outage, OutageEvent, OutageNotice, OutageUpdate
from outages.services import outage_publish
from tests.outages.conftest import make_outage, make_point

ADD = reverse("admin:outages_outage_add")
INLINES = {"updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0",
           "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}  # fmt: skip


def local(moment):
    moment = timezone.localtime(moment)
    return {"date": moment.strftime("%Y-%m-%d"), "time": moment.strftime("%H:%M")}


def form_data(region, **changes):
    start = timezone.now() - datetime.timedelta(hours=1)
    end = start + datetime.timedelta(hours=8)
    data = {
        "region": region.pk,
        "kind": "failure",
        "title": "Awaria sieci przy ul. Grunwaldzkiej",
        "description": "Pęknięta rura.",
        "heat": "on",
        "hot_water": "on",
        "starts_at_0": local(start)["date"],
        "starts_at_1": local(start)["time"],
        "expected_end_0": local(end)["date"],
        "expected_end_1": local(end)["time"],
        "ended_at_0": "",
        "ended_at_1": "",
        "add_streets": "",
        "add_nodes": "",
        **INLINES,
    }
    data.update(changes)
    return data


@pytest.fixture
def street(owner, point, sibling):
    """Three points in Jaworzno: two on ul. Grunwaldzka (owner, sibling), one on ul. Mickiewicza (owner)."""
    make_point(sibling, "W-0200", "ul. Grunwaldzka 14, Jaworzno")
    make_point(owner, "W-0300", "ul. Mickiewicza 3, Jaworzno")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_staff_add_points_by_street_and_node_and_see_how_many(staff_client, jaworzno, street):
    response = staff_client.post(ADD, form_data(jaworzno, add_streets="Grunwaldzka", add_nodes="W-0300"), follow=True)
    outage = Outage.objects.get()
    assert sorted(outage.points.values_list("identifier", flat=True)) == ["W-0123", "W-0200", "W-0300"]
    assert "Awaria dotyczy 3 punktów poboru, odbiorców: 2." in messages_of(response)
    assert outage.published_at is None  # a draft: nothing public, nothing mailed
    assert OutageNotice.objects.count() == 0
    page = staff_client.get(reverse("admin:outages_outage_change", args=[outage.pk])).content.decode()
    assert "3 punkty poboru, odbiorcy: 2 (z adresem e-mail: 1, w tym z wyłączonymi powiadomieniami: 0)" in page
    assert "ul. Grunwaldzka 12, 14" in page


def test_staff_pick_points_one_by_one(staff_client, jaworzno, street, point):
    staff_client.post(ADD, form_data(jaworzno, points=[point.pk]))
    assert list(Outage.objects.get().points.all()) == [point]


def test_publishing_from_the_form_queues_the_mails(staff_client, jaworzno, street, staff_user):
    response = staff_client.post(ADD, form_data(jaworzno, add_streets="ul. Grunwaldzka", publish="on"), follow=True)
    outage = Outage.objects.get()
    assert outage.published_at is not None
    assert OutageEvent.objects.get().staff == staff_user
    assert list(OutageNotice.objects.values_list("to", flat=True)) == ["zarzad@sm-zgoda.example"]
    assert "Awaria dotyczy 2 punktów poboru, odbiorców: 2. Zakolejkowano 1 e-mail." in messages_of(response)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"add_streets": "Nieistniejąca"}, "add_streets",
         "Brak punktów poboru przy ulicach w regionie Jaworzno: Nieistniejąca."),
        ({"add_nodes": "W-0123 W-9999"}, "add_nodes", "Nie ma takich punktów poboru w regionie Jaworzno: W-9999."),
        ({"heat": "", "hot_water": ""}, "heat", "Zaznacz, czego dotyczy przerwa: ogrzewania, ciepłej wody albo obu."),
        ({"expected_end_0": "", "expected_end_1": ""}, "expected_end",
         "Podaj przewidywany koniec albo zaznacz, że jest nieznany."),
        ({"end_unknown": "on"}, "expected_end", "Podano przewidywany koniec i zaznaczono „nieznany”: wybierz jedno."),
        ({"ended_at_0": "2099-01-01", "ended_at_1": "10:00"}, "ended_at",
         "Faktyczny koniec nie może być w przyszłości: wpisz go, gdy dostawa wróci."),
        ({"publish": "on"}, "publish", "Nie można opublikować awarii bez punktów poboru."),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_message_and_saves_nothing(staff_client, jaworzno, street, changes, field, message):
    response = staff_client.post(ADD, form_data(jaworzno, **changes))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert Outage.objects.count() == 0


def test_a_point_of_another_region_is_refused(staff_client, jaworzno, street, stranger_point):
    response = staff_client.post(ADD, form_data(jaworzno, points=[stranger_point.pk]))
    assert response.context["adminform"].form.errors["points"] == ["Punkt spoza regionu Jaworzno: W-0123."]
    assert Outage.objects.count() == 0


def test_a_street_in_two_towns_of_the_region_needs_the_town(staff_client, bedzin, stranger):
    make_point(stranger, "S-1", "ul. Małachowskiego 3, Będzin")
    make_point(stranger, "S-2", "ul. Małachowskiego 5, Sosnowiec")
    response = staff_client.post(ADD, form_data(bedzin, add_streets="Małachowskiego"))
    assert "dopisz miejscowość po przecinku" in response.context["adminform"].form.errors["add_streets"][0]
    staff_client.post(ADD, form_data(bedzin, add_streets="Małachowskiego, Sosnowiec"))
    assert list(Outage.objects.get().points.values_list("identifier", flat=True)) == ["S-2"]


def change(staff_client, outage, **changes):
    url = reverse("admin:outages_outage_change", args=[outage.pk])
    data = form_data(outage.region, points=list(outage.points.values_list("pk", flat=True)), **changes)
    data["starts_at_0"], data["starts_at_1"] = local(outage.starts_at).values()
    return staff_client.post(url, data, follow=True)


def test_moving_the_expected_end_by_hours_and_ending_it_are_events_with_mails(staff_client, owner, point):
    outage = make_outage(owner.region, [point])
    outage_publish(outage=outage)
    later = local(outage.expected_end + datetime.timedelta(hours=3))
    change(staff_client, outage, expected_end_0=later["date"], expected_end_1=later["time"])
    now = local(timezone.now() - datetime.timedelta(minutes=1))
    change(staff_client, outage, expected_end_0=later["date"], expected_end_1=later["time"],
           ended_at_0=now["date"], ended_at_1=now["time"])  # fmt: skip
    kinds = list(OutageEvent.objects.values_list("kind", flat=True))
    assert kinds == ["published", "end-moved", "ended"]
    assert OutageNotice.objects.count() == 3


def test_an_end_cannot_be_taken_back(staff_client, owner, point):
    outage = make_outage(owner.region, [point], ended_at=timezone.now())
    response = change(staff_client, outage)
    assert response.context["adminform"].form.errors["ended_at"] == [
        "Zakończenia nie można cofnąć; można poprawić jego datę i godzinę."
    ]


def test_later_updates_are_added_with_the_staff_member(staff_client, owner, point, staff_user):
    outage = make_outage(owner.region, [point])
    change(staff_client, outage, **{"updates-TOTAL_FORMS": "1", "updates-0-text": "Trwa napełnianie sieci.",
                                    "updates-0-at_0": local(timezone.now())["date"],
                                    "updates-0-at_1": local(timezone.now())["time"]})  # fmt: skip
    update = OutageUpdate.objects.get()
    assert (update.text, update.staff) == ("Trwa napełnianie sieci.", staff_user)


def test_nothing_is_deleted(staff_client, owner, point):
    outage = make_outage(owner.region, [point])
    assert staff_client.get(reverse("admin:outages_outage_delete", args=[outage.pk])).status_code == 403
    changelist = staff_client.get(reverse("admin:outages_outage_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_the_publish_action_publishes_and_queues(staff_client, owner, point):
    outage = make_outage(owner.region, [point])
    empty = make_outage(owner.region, [], title="Bez punktów")
    response = staff_client.post(
        reverse("admin:outages_outage_changelist"),
        {"action": "publish_selected", "_selected_action": [outage.pk, empty.pk]},
        follow=True,
    )
    assert "Opublikowano 1 awarię, zakolejkowano e-maili: 1." in messages_of(response)
    assert "„Bez punktów”: bez punktów poboru, nie opublikowano." in messages_of(response)
    assert Outage.objects.published().get() == outage
