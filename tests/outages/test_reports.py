"""Point 5: staff link customers' outage reports (cases) to the outage; the reporters are told when it ends."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import Case
from cases.services import case_file
from outages.models import OutageNotice
from outages.services import notice_choice_record, outage_notify, outage_publish
from tests.outages.conftest import make_outage, make_point
from tests.outages.test_admin import change, form_data


def report(customer, point=None, kind=Case.Kind.OUTAGE):
    return case_file(customer=customer, user=User.objects.for_customer(customer), kind=kind,
                     subject="Brak ogrzewania", body="Od rana zimne kaloryfery.", point=point)  # fmt: skip


@pytest.fixture
def neighbour(jaworzno):
    """A customer of the same street whose point the outage does not include, who reported it anyway."""
    from customers.models import Customer

    customer = Customer.objects.create(
        region=jaworzno,
        number="004321",
        name="Wspólnota Grunwaldzka 20",
        email="wspolnota20@example.com",
        email_requested_on=datetime.date(2026, 10, 1),
    )
    make_point(customer, "W-0999", "ul. Grunwaldzka 20, Jaworzno")
    return customer


def end(outage):
    outage.ended_at = timezone.now()
    outage.save()
    outage_notify(outage=outage)


def end_mails():
    return {m.to[0]: m for m in mail.outbox if m.subject.startswith("Zakończono")}


def test_a_linked_reporter_is_told_once_when_it_ends_with_the_case_number(owner, point, neighbour, run_worker):
    case = report(neighbour, neighbour.metering_points.get())
    outage = make_outage(owner.region, [point])
    outage.reports.add(case)
    outage_publish(outage=outage)
    end(outage)
    end(outage)
    run_worker()
    told = end_mails()
    assert set(told) == {"zarzad@sm-zgoda.example", "wspolnota20@example.com"}
    assert f"Zgłoszenie: {case.number}" in told["wspolnota20@example.com"].body
    assert "awaria zgłoszona w eBOK została usunięta" in told["wspolnota20@example.com"].body
    assert "Zgłoszenie" not in told["zarzad@sm-zgoda.example"].body
    assert not any(m.subject.startswith("Przerwa") and m.to == ["wspolnota20@example.com"] for m in mail.outbox)


def test_an_affected_reporter_gets_one_end_mail_naming_the_report(owner, point, run_worker):
    case = report(owner, point)
    outage = make_outage(owner.region, [point])
    outage.reports.add(case)
    outage_publish(outage=outage)
    end(outage)
    run_worker()
    assert len(end_mails()) == 1
    assert f"Zgłoszenie: {case.number}" in end_mails()["zarzad@sm-zgoda.example"].body
    assert OutageNotice.objects.get(event__kind="ended").reporter


def test_a_reporter_who_switched_notices_off_is_still_told_of_the_end(owner, point, neighbour, run_worker):
    notice_choice_record(customer=neighbour, enabled=False, user=User.objects.for_customer(neighbour))
    outage = make_outage(owner.region, [point])
    outage.reports.add(report(neighbour))
    outage_publish(outage=outage)
    end(outage)
    run_worker()
    assert "wspolnota20@example.com" in end_mails()


def test_a_report_linked_after_the_end_is_told_once_and_no_one_else_again(owner, point, neighbour, run_worker):
    outage = make_outage(owner.region, [point])
    outage_publish(outage=outage)
    end(outage)
    run_worker()
    mail.outbox.clear()
    outage.reports.add(report(neighbour))
    outage_notify(outage=outage)
    outage_notify(outage=outage)
    run_worker()
    assert list(end_mails()) == ["wspolnota20@example.com"]


def test_staff_link_reports_by_number_in_the_admin(staff_client, owner, point, neighbour):
    case = report(neighbour)
    outage = make_outage(owner.region, [point])
    change(staff_client, outage, report_numbers=f"  {case.number.lower()} ")
    assert list(outage.reports.all()) == [case]
    page = staff_client.get(reverse("admin:outages_outage_change", args=[outage.pk])).content.decode()
    assert f"{case.number} (nowa): powiązane" in page


def test_the_admin_suggests_open_reports_about_the_outages_points(staff_client, owner, point):
    case = report(owner, point)
    outage = make_outage(owner.region, [point])
    page = staff_client.get(reverse("admin:outages_outage_change", args=[outage.pk])).content.decode()
    assert f"{case.number} (nowa): niepowiązane" in page


def test_only_outage_reports_of_the_region_can_be_linked(staff_client, jaworzno, owner, point, stranger):
    complaint = report(owner, kind=Case.Kind.OTHER)
    elsewhere = report(stranger)
    response = staff_client.post(
        reverse("admin:outages_outage_add"),
        form_data(jaworzno, points=[point.pk], report_numbers=f"{complaint.number} {elsewhere.number} JAW/2026/99999"),
    )
    assert response.context["adminform"].form.errors["report_numbers"] == [
        f"{complaint.number}: to nie jest zgłoszenie awarii; {elsewhere.number}: sprawa z regionu Będzin, Czeladź, "
        "Sosnowiec; JAW/2026/99999: nie ma takiej sprawy."
    ]
