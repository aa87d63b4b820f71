"""The staff group "Obsługa klienta": handles cases end to end, reads what a case is about, and cannot change
billing data or a customer's way in (the enrolled e-mail, a password sent, e-invoice consents)."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import EmailDelivery, OneTimePassword, StaffAction
from cases.models import Case, StatusChange
from consumption.models import ConsumptionReading
from invoices.models import Invoice, InvoiceLine, Payment
from tests.cases.conftest import file_case
from tests.cases.staffing import GROUP, service_member
from tests.conftest import log_in_staff, page_text


@pytest.fixture
def member(db):
    return service_member()


@pytest.fixture
def member_client(client, member):
    return log_in_staff(client, member)


@pytest.fixture
def invoice(owner):
    invoice = Invoice.objects.create(
        region=owner.region,
        number="FV/2026/11/0001",
        customer=owner,
        issue_date=datetime.date(2026, 11, 4),
        due_date=datetime.date(2026, 11, 18),
        net=Decimal("100.00"),
        vat=Decimal("23.00"),
        gross=Decimal("123.00"),
    )
    InvoiceLine.objects.create(invoice=invoice, position=1, name="Ciepło", net_value=Decimal("100.00"), vat_rate="23")
    return invoice


def test_the_group_has_exactly_the_rights_to_handle_cases_and_to_read_what_they_are_about(db):
    rights = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=GROUP).permissions.all()}
    assert rights == {
        "cases.view_case",
        "cases.change_case",
        "cases.answer_case",
        "customers.view_customer",
        "customers.view_meteringpoint",
        "invoices.view_invoice",
        "invoices.view_invoiceline",
        "invoices.view_payment",
        "consumption.view_consumptionreading",
    }


def test_a_member_handles_a_case_from_the_queue_to_closing(member_client, member, owner, run_worker):
    case = file_case(owner, kind=Case.Kind.COMPLAINT)
    assert case.number in page_text(member_client.get(reverse("admin:cases_case_changelist")).content.decode())
    page = reverse("admin:cases_case_change", args=[case.pk])
    assert member_client.get(page).status_code == 200

    def post(name, data):
        response = member_client.post(reverse(f"admin:cases_case_{name}", args=[case.pk]), data)
        assert response.status_code == 302, response.content.decode()

    post("assign", {"assigned_to": member.pk})
    post("status", {"status": "in_progress"})
    post("note", {"note-body": "Zapytać dział rozliczeń o odczyt."})
    post("answer", {"answer-body": "Wystawimy korektę."})
    post("status", {"status": "closed"})
    case.refresh_from_db()
    assert (case.status, case.assigned_to) == (Case.Status.CLOSED, member)
    assert list(StatusChange.objects.filter(case=case, user=member).values_list("new_status", flat=True)) == [
        "in_progress",
        "answered",
        "closed",
    ]
    run_worker()
    assert [m.subject for m in mail.outbox] == [
        f"eBOK: przyjęto sprawę {case.number}",
        f"eBOK: odpowiedź w sprawie {case.number}",
    ]


def test_a_member_reads_the_customer_and_the_invoice(member_client, owner, invoice, point):
    for name, pk in (("customers_customer", owner.pk), ("invoices_invoice", invoice.pk),
                     ("customers_meteringpoint", point.pk)):  # fmt: skip
        assert member_client.get(reverse(f"admin:{name}_change", args=[pk])).status_code == 200
    assert "Ciepło" in member_client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()


def test_a_member_cannot_enrol_or_change_a_customers_email(member_client, owner, sibling):
    for customer in (owner, sibling):
        response = member_client.post(
            reverse("admin:customers_customer_change", args=[customer.pk]),
            {"email": "ktos@example.com", "email_requested_on": "20.11.2026"},
        )
        assert response.status_code == 403
    owner.refresh_from_db()
    sibling.refresh_from_db()
    assert (owner.email, sibling.email) == ("zarzad@sm-zgoda.example", "")
    assert not StaffAction.objects.exists()


def test_a_member_cannot_send_a_password(member_client, owner):
    response = member_client.post(
        reverse("admin:customers_customer_changelist"),
        {"action": "send_one_time_password", "_selected_action": [owner.pk], "index": "0"},
    )
    assert response.status_code in (200, 302, 403)
    assert not OneTimePassword.objects.exists()
    assert not EmailDelivery.objects.filter(kind="one_time_password").exists()
    assert not StaffAction.objects.exists()
    changelist = member_client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert "send_one_time_password" not in changelist


def test_a_member_cannot_record_a_paper_consent(member_client, owner):
    url = reverse("admin:customers_customer_paper_consent", args=[owner.pk])
    assert member_client.get(url).status_code == 403
    response = member_client.post(url, {"action": "granted", "signed_on": "20.11.2026", "email": owner.email})
    assert response.status_code == 403
    assert not owner.einvoice_consents.exists()


def test_a_member_cannot_change_invoices_payments_or_readings(member_client, owner, invoice, point):
    payment = Payment.objects.create(
        region=owner.region, billing_id="1", customer=owner, date="2026-11-10", amount="123.00", invoice=invoice
    )
    reading = ConsumptionReading.objects.create(
        point=point, period_from="2026-10-01", period_to="2026-10-31", consumption_gj=Decimal("12.5")
    )
    for name, obj, data in (
        ("invoices_invoice", invoice, {"number": "X", "gross": "1.00"}),
        ("invoices_payment", payment, {"amount": "1.00"}),
        ("consumption_consumptionreading", reading, {"consumption_gj": "1"}),
    ):
        assert member_client.post(reverse(f"admin:{name}_change", args=[obj.pk]), data).status_code == 403
        assert member_client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert (invoice.number, payment.amount) == ("FV/2026/11/0001", Decimal("123.00"))


def test_a_member_sees_no_staff_accounts_lockouts_or_email_log(member_client):
    for name in ("accounts_user", "accounts_throttle", "accounts_emaildelivery", "accounts_staffaction",
                 "invoices_einvoicedelivery", "customers_einvoiceconsent"):  # fmt: skip
        assert member_client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name


def test_staff_who_may_only_see_cases_cannot_answer_or_change_them(client, owner, django_user_model):
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user("kontrola", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_case"))
    reader_client = log_in_staff(client, reader)
    case = file_case(owner)
    html = reader_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "Wyślij odpowiedź" not in html
    assert "Dodaj notatkę" not in html
    changes = [("answer", {"answer-body": "x"}), ("note", {"note-body": "x"}), ("status", {"status": "closed"}),
               ("assign", {"assigned_to": reader.pk})]  # fmt: skip
    for name, data in changes:
        assert reader_client.post(reverse(f"admin:cases_case_{name}", args=[case.pk]), data).status_code == 403
    case.refresh_from_db()
    assert (case.status, case.messages.count()) == (Case.Status.NEW, 1)


def test_answering_needs_its_own_right_beside_changing(client, owner, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("praktykant", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_case", "change_case"]))
    clerk_client = log_in_staff(client, clerk)
    case = file_case(owner)
    url = reverse("admin:cases_case_answer", args=[case.pk])
    assert clerk_client.post(url, {"answer-body": "Odpowiedź"}).status_code == 403
    assert (
        clerk_client.post(
            reverse("admin:cases_case_note", args=[case.pk]), {"note-body": "Do sprawdzenia"}
        ).status_code
        == 302
    )
    assert list(case.messages.values_list("internal", flat=True)) == [False, True]
