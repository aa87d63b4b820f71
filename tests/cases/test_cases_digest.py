"""`manage.py cases_digest`: once a day, each staff member who handles cases gets one e-mail of the new and the
overdue cases, with admin links and without anything a customer or a colleague wrote."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import EmailDelivery
from cases import services
from cases.models import Case, DigestRun
from tests.cases.conftest import file_case
from tests.cases.staffing import service_member

MORNING = datetime.datetime(2026, 12, 2, 6, tzinfo=datetime.UTC)  # 7:00 in Warsaw


def at(moment):
    return time_machine.travel(moment, tick=False)


def digest(*args):
    out, err = io.StringIO(), io.StringIO()
    with at(MORNING):
        call_command("cases_digest", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def staff(db, django_user_model):
    """Who handles cases: two members and a superuser; and who does not."""
    members = [service_member("anna", "anna@cieplo.example"), service_member("piotr", "piotr@cieplo.example")]
    boss = django_user_model.objects.create_superuser("szefowa", "szefowa@cieplo.example", "x")
    service_member("bez-adresu", "")
    service_member("byly", "byly@cieplo.example", is_active=False)
    django_user_model.objects.create_user("ksiegowa", "ksiegowa@cieplo.example", "x", is_staff=True)
    return [*members, boss]


@pytest.fixture
def cases(owner, stranger, staff):
    """A complaint filed yesterday evening, an outage overdue for days, a case answered after its date."""
    with at(MORNING - datetime.timedelta(days=5)):
        overdue = file_case(owner, kind=Case.Kind.OUTAGE, body="W budynku B nie ma ciepłej wody od rana.")
        answered = file_case(owner, kind=Case.Kind.OUTAGE)
    services.case_note(case=overdue, user=staff[0], body="Ekipa pojedzie jutro.")
    services.case_answer(case=answered, user=staff[0], body="Usunięto.")
    with at(MORNING - datetime.timedelta(hours=12)):
        new = file_case(stranger, kind=Case.Kind.COMPLAINT, body="Faktura zawyżona o 300 zł.")
    return {"new": new, "overdue": overdue, "answered": answered}


def test_each_member_and_superuser_gets_one_digest_of_new_and_overdue_cases(cases, staff, run_worker, settings):
    settings.EBOK_BASE_URL = "https://ebok.example.pl"
    mail.outbox.clear()
    EmailDelivery.objects.all().delete()
    output = digest()
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@cieplo.example", "piotr@cieplo.example",
                                                    "szefowa@cieplo.example"]  # fmt: skip
    message = mail.outbox[0]
    assert message.subject == "eBOK: sprawy 02.12.2026 — nowe: 1, po terminie: 1"
    for body in (message.body, message.alternatives[0].content):
        new, overdue = cases["new"], cases["overdue"]
        assert new.number in body
        assert "Reklamacja faktury" in body
        assert "Będzin, Czeladź, Sosnowiec" in body
        assert "15.12.2026" in body  # the complaint (filed 01.12) is due 14 days later
        assert overdue.number in body
        assert "https://ebok.example.pl" + reverse("admin:cases_case_change", args=[overdue.pk]) in body
        assert cases["answered"].number not in body
        for secret in ("ciepłej wody", "Ekipa", "zawyżona", "Usunięto"):
            assert secret not in body
    assert "Zestawienie z dnia 02.12.2026: nowe sprawy 1, po terminie 1, e-maile 3." in output


def test_a_second_run_the_same_day_sends_nothing(cases, staff):
    EmailDelivery.objects.all().delete()
    digest()
    output = digest()
    assert EmailDelivery.objects.filter(kind="cases_digest").count() == 3
    assert "Zestawienie z dnia 02.12.2026 przygotowano już o 07:00; nic nie wysłano." in output
    assert DigestRun.objects.get().emails == 3


def test_the_next_digest_lists_only_what_was_filed_since_the_last_one(cases, staff, owner):
    digest()
    with at(MORNING + datetime.timedelta(hours=3)):
        later = file_case(owner, kind=Case.Kind.OTHER)
    EmailDelivery.objects.all().delete()
    with at(MORNING + datetime.timedelta(days=1)):
        call_command("cases_digest", stdout=io.StringIO())
    context = EmailDelivery.objects.filter(kind="cases_digest").first().context
    assert [row["number"] for row in context["new"]] == [later.number]
    assert [row["number"] for row in context["overdue"]] == [cases["overdue"].number]


def test_nothing_is_sent_when_nothing_is_new_or_overdue(staff, owner):
    with at(MORNING - datetime.timedelta(days=3)):
        file_case(owner, kind=Case.Kind.OTHER)  # neither new since yesterday nor overdue
    output = digest()
    assert not EmailDelivery.objects.filter(kind="cases_digest").exists()
    assert "nowe sprawy 0, po terminie 0, e-maile 0." in output
    assert DigestRun.objects.get().emails == 0


def test_a_dry_run_lists_the_digest_and_writes_nothing(cases, staff):
    EmailDelivery.objects.all().delete()
    output = digest("--dry-run")
    assert cases["new"].number in output
    assert cases["overdue"].number in output
    assert "do: anna@cieplo.example (anna)" in output
    assert "(próba: nic nie wysłano)" in output
    assert not EmailDelivery.objects.exists()
    assert not DigestRun.objects.exists()
    assert "e-maile 3." in digest()  # the real run afterwards still sends


def test_with_nobody_to_send_to_it_says_so(cases, staff, django_user_model):
    django_user_model.objects.update(email="")
    EmailDelivery.objects.all().delete()
    output = digest()
    assert "Nikt nie dostanie zestawienia" in output
    assert not EmailDelivery.objects.exists()


def test_two_staff_accounts_with_one_address_get_one_email(cases, staff):
    service_member("anna2", "Anna@Cieplo.example")
    EmailDelivery.objects.all().delete()
    digest()
    assert EmailDelivery.objects.filter(kind="cases_digest", to__iexact="anna@cieplo.example").count() == 1


def test_the_date_filters_of_the_emails_fail_silently_like_djangos():
    from cases.templatetags.cases import iso_date, iso_datetime

    assert iso_date("2026-12-02") == datetime.date(2026, 12, 2)
    assert iso_date("") == iso_datetime("") == iso_datetime(None) == ""


def test_a_case_answered_in_time_is_not_overdue_when_the_customer_writes_again(staff, owner):
    """Filed 20.11 (a complaint: due 04.12), answered 01.12, the customer's follow-up on 01.12 after the answer: on
    02.12 it is past its date and in progress, yet the office owes no first answer; the digest lists it nowhere."""
    with at(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)):
        case = file_case(owner, kind=Case.Kind.COMPLAINT)
    with at(datetime.datetime(2026, 11, 21, 10, tzinfo=datetime.UTC)):
        services.case_answer(case=case, user=staff[0], body="Faktura jest poprawna.")
    with at(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)):
        DigestRun.objects.create(day=datetime.date(2026, 12, 1), new_cases=0, overdue_cases=0, emails=0)
    with at(datetime.datetime(2026, 12, 6, 10, tzinfo=datetime.UTC)):
        services.case_post_customer_message(case=case, user=case.messages.first().user, body="A odczyt z 10.11.?")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    with at(datetime.datetime(2026, 12, 7, 6, tzinfo=datetime.UTC)):
        output = io.StringIO()
        call_command("cases_digest", stdout=output)
    assert "po terminie 0" in output.getvalue()
    assert case.number not in output.getvalue()
    assert not EmailDelivery.objects.filter(kind="cases_digest").exists()
