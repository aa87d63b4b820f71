"""Sprawy of the demo logins, so that `make run` shows the feature: an invoice complaint the office has
answered, a request for a lower ordered power still waiting, and last winter's outage, closed.

Written as rows (as the billing import writes invoices), not through cases.services: a demo loaded into a
fresh database queues no e-mail, and its cases are dated in the past. The office's answers are signed by an
account that cannot log in (no password, inactive), as a real staff member's would be by a person.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from cases.models import Case, Message, StatusChange
from cases.services import due_date

OFFICE_USERNAME = "bok.demo"


def _office():
    user, created = User.objects.get_or_create(
        username=OFFICE_USERNAME, defaults={"first_name": "Biuro", "last_name": "Obsługi Klienta", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _file(customer, user, *, kind, subject, filed_at, body, history, answer=None, **details):
    """One case with its first message, an optional answer (text, at) and its status history [(status, at, by)]."""
    region = customer.region
    year = timezone.localdate(filed_at).year
    sequence, number = Case.objects.next_number(region, year)
    status, at, _by = history[-1]
    case = Case.objects.create(
        region=region,
        year=year,
        sequence=sequence,
        number=number,
        customer=customer,
        kind=kind,
        subject=subject,
        status=status,
        filed_at=filed_at,
        due_on=due_date(kind, timezone.localdate(filed_at)),
        closed_at=at if status == Case.Status.CLOSED else None,
        last_customer_message_at=filed_at,
        last_answer_at=answer[1] if answer else None,
        **details,
    )
    Message.objects.create(case=case, author=Message.Author.CUSTOMER, user=user, body=body, created_at=filed_at)
    if answer:
        Message.objects.create(
            case=case, author=Message.Author.STAFF, user=_office(), body=answer[0], created_at=answer[1]
        )
    old = ""
    for new, at, by in history:
        StatusChange.objects.create(case=case, old_status=old, new_status=new, user=by, at=at)
        old = new
    return case


def add_demo_cases(customer, *, now=None):
    """The demo cases of one demo customer: a complaint answered, a power request open, an outage closed."""
    now = now or timezone.now()
    user = User.objects.for_customer(customer)
    office = _office()
    day = datetime.timedelta(days=1)
    invoices = customer.invoices.filter(kind="VAT", issue_date__lte=timezone.localdate(now - 10 * day))
    invoice = invoices.order_by("-issue_date").first()
    point = customer.metering_points.order_by("identifier").first()
    if point is not None:
        filed = now - 300 * day
        closed = filed + 2 * day
        _file(
            customer,
            user,
            kind=Case.Kind.OUTAGE,
            subject=f"Brak ogrzewania: {point}",
            filed_at=filed,
            body="Od rana zimne grzejniki w całym budynku. Zgłoszono też telefonicznie w pogotowiu.",
            point=point,
            history=[
                (Case.Status.NEW, filed, user),
                (Case.Status.ANSWERED, filed + datetime.timedelta(hours=5), office),
                (Case.Status.CLOSED, closed, user),
            ],
            answer=(
                "Awarię zaworu w węźle usunięto o 13:40, ogrzewanie działa. Dziękujemy za zgłoszenie.",
                filed + datetime.timedelta(hours=5),
            ),
        )
    if invoice is not None:
        filed = now - 9 * day
        answered = now - 3 * day
        _file(
            customer,
            user,
            kind=Case.Kind.COMPLAINT,
            subject=f"Reklamacja faktury {invoice.number}",
            filed_at=filed,
            body=(
                "Zużycie na fakturze jest prawie dwa razy wyższe niż przed rokiem, choć budynek ocieplono. "
                "Proszę o sprawdzenie odczytu licznika."
            ),
            disputed_amount=min(Decimal("250.00"), abs(invoice.gross)),
            invoice=invoice,
            history=[
                (Case.Status.NEW, filed, user),
                (Case.Status.IN_PROGRESS, filed + day, office),
                (Case.Status.ANSWERED, answered, office),
            ],
            answer=(
                "Dzień dobry, sprawdziliśmy odczyt: licznik odczytano prawidłowo, a wyższe zużycie wynika z "
                "chłodniejszego miesiąca niż przed rokiem (średnio o 4 °C). Reklamacji nie uwzględniamy. "
                "Jeśli wątpliwości pozostają, możemy sprawdzić licznik na miejscu — prosimy o odpowiedź tutaj.",
                answered,
            ),
        )
    if point is not None:
        filed = now - 2 * day
        requested = (timezone.localdate(now).replace(day=1) + 62 * day).replace(day=1)
        power = max(
            Decimal("0.0100"),
            ((point.ordered_power_mw or Decimal("0.2")) * Decimal("0.9")).quantize(Decimal("0.0001")),
        )
        power_text = f"{power:.4f}".replace(".", ",")
        _file(
            customer,
            user,
            kind=Case.Kind.POWER,
            subject=f"Zmiana mocy zamówionej: {point.identifier}, {power_text} MW od {requested:%d.%m.%Y}",
            filed_at=filed,
            body="Po termomodernizacji budynku wnioskujemy o zmniejszenie mocy zamówionej.",
            point=point,
            requested_power_mw=power,
            requested_from=requested,
            history=[(Case.Status.NEW, filed, user)],
        )


def add_demo_cases_for_logins():
    """The demo cases of each region's demo login (customers.demo.logins)."""
    from customers.demo.logins import DEMO_NUMBER
    from customers.models import Customer

    for customer in Customer.objects.filter(number=DEMO_NUMBER, sub_code="0000").select_related("region"):
        add_demo_cases(customer)
