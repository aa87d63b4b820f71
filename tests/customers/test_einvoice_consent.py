"""The e-invoice consent's history: append-only records, the flag following the latest, the texts kept."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, transaction

from accounts import emails
from accounts.models import EmailDelivery, User
from customers import consent
from customers.models import EinvoiceConsent
from customers.services import ConsentRefused, einvoice_consent_record

NOW = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 26)


def grant(customer, **kwargs):
    user = User.objects.for_customer(customer)
    return einvoice_consent_record(
        customer=customer, action="granted", channel="online", user=user, ip="10.0.0.1", **kwargs
    )


def withdraw(customer):
    user = User.objects.for_customer(customer)
    return einvoice_consent_record(customer=customer, action="withdrawn", channel="online", user=user, ip="10.0.0.1")


def test_it_records_who_what_where_and_which_text(owner):
    with time_machine.travel(NOW, tick=False):
        record = grant(owner)
    assert (record.action, record.channel, record.email, record.text_version) == (
        "granted",
        "online",
        "zarzad@sm-zgoda.example",
        consent.CURRENT_VERSION,
    )
    assert (record.effective_from, record.recorded_at, record.ip) == (TODAY, NOW, "10.0.0.1")
    assert record.user == User.objects.get(customer=owner)
    assert (record.staff, record.signed_on) == (None, None)


def test_the_flag_follows_the_latest_record(owner):
    with time_machine.travel(NOW, tick=False) as clock:
        grant(owner)
        owner.refresh_from_db()
        assert (owner.einvoice_consent, owner.einvoice_consent_changed_at) == (True, NOW)
        clock.shift(datetime.timedelta(hours=1))
        withdraw(owner)
    owner.refresh_from_db()
    assert (owner.einvoice_consent, owner.einvoice_consent_changed_at) == (False, NOW + datetime.timedelta(hours=1))
    assert list(owner.einvoice_consents.values_list("action", flat=True)) == ["withdrawn", "granted"]


def test_consent_on_a_day_is_the_grant_in_effect_then(owner):
    assert owner.einvoice_consent_on(TODAY) is None
    with time_machine.travel(NOW, tick=False) as clock:
        granted = grant(owner)
        clock.shift(datetime.timedelta(days=5))
        withdraw(owner)
    assert owner.einvoice_consent_on(TODAY - datetime.timedelta(days=1)) is None
    assert owner.einvoice_consent_on(TODAY) == granted
    assert owner.einvoice_consent_on(TODAY + datetime.timedelta(days=4)).email == "zarzad@sm-zgoda.example"
    assert owner.einvoice_consent_on(TODAY + datetime.timedelta(days=5)) is None  # withdrawn: from that day on


def test_a_withdrawal_on_the_day_of_the_grant_wins_that_day(owner):
    with time_machine.travel(NOW, tick=False) as clock:
        grant(owner)
        clock.shift(datetime.timedelta(minutes=5))
        withdraw(owner)
    assert owner.einvoice_consent_on(TODAY) is None


def test_the_day_is_the_companys_not_utc(owner):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 23, 30, tzinfo=datetime.UTC), tick=False):
        record = grant(owner)
    assert record.effective_from == datetime.date(2026, 11, 27)  # 00:30 in Warsaw


def test_consent_is_refused_without_an_enrolled_address(sibling):
    with pytest.raises(ConsentRefused, match="nie ma w eBOK adresu e-mail"):
        grant(sibling)
    sibling.refresh_from_db()
    assert not sibling.einvoice_consent
    assert not EinvoiceConsent.objects.exists()
    assert not EmailDelivery.objects.exists()


def test_granting_twice_or_withdrawing_nothing_is_refused(owner):
    with pytest.raises(ConsentRefused, match="nie jest włączona"):
        withdraw(owner)
    grant(owner)
    with pytest.raises(ConsentRefused, match="już włączona"):
        grant(owner)
    assert EinvoiceConsent.objects.count() == 1


def test_nothing_is_recorded_when_the_confirmation_cannot_be_queued(owner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(emails, "einvoice_consent_granted", broken)
    with pytest.raises(RuntimeError):
        grant(owner)
    owner.refresh_from_db()
    assert not owner.einvoice_consent
    assert not EinvoiceConsent.objects.exists()


def test_each_change_queues_a_confirmation_to_the_enrolled_address(owner):
    grant(owner)
    withdraw(owner)
    assert list(EmailDelivery.objects.order_by("pk").values_list("kind", "to")) == [
        ("einvoice_consent_granted", "zarzad@sm-zgoda.example"),
        ("einvoice_consent_withdrawn", "zarzad@sm-zgoda.example"),
    ]


def test_the_orm_refuses_to_update_or_delete_records(owner):
    grant(owner)
    with pytest.raises(TypeError, match="append-only"):
        EinvoiceConsent.objects.update(email="kradziez@example.com")
    with pytest.raises(TypeError, match="append-only"):
        EinvoiceConsent.objects.all().delete()


def test_the_database_refuses_to_change_a_record(owner):
    record = grant(owner)
    record.email = "kradziez@example.com"
    with pytest.raises(DatabaseError), transaction.atomic():
        record.save()
    assert EinvoiceConsent.objects.get().email == "zarzad@sm-zgoda.example"


def test_postgresql_refuses_to_delete_a_record(owner):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite refuses updates only: the test runner's flush deletes rows there (migration 0005)")
    record = grant(owner)
    with pytest.raises(DatabaseError), transaction.atomic():
        record.delete()
    assert EinvoiceConsent.objects.filter(pk=record.pk).exists()


def test_an_online_record_needs_the_login_and_a_paper_one_the_staff_and_date(owner):
    base = {"customer": owner, "action": "granted", "email": owner.email, "text_version": "x", "effective_from": TODAY}
    with pytest.raises(IntegrityError), transaction.atomic():
        EinvoiceConsent.objects.create(channel="online", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        EinvoiceConsent.objects.create(channel="paper", user=User.objects.for_customer(owner), **base)


def test_a_grant_needs_an_address(owner):
    user = User.objects.for_customer(owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        EinvoiceConsent.objects.create(
            customer=owner, action="granted", channel="online", user=user, email="", text_version="x",
            effective_from=TODAY,
        )  # fmt: skip


def test_the_current_text_exists_in_polish_and_english():
    assert consent.consent_text(language="pl").startswith("Zgoda na przesyłanie faktur")
    assert consent.consent_text(language="en").startswith("Consent to receive invoices")
    assert consent.is_translation(language="en")
    assert not consent.is_translation(language="pl")


def test_every_version_ever_published_stays_retrievable():
    versions = {path.name.split(".")[0].removeprefix("einvoice-") for path in consent.TEXTS.glob("einvoice-*.pl.txt")}
    assert consent.CURRENT_VERSION in versions
    for version in versions:
        assert consent.consent_text(version, language="pl")
        assert consent.consent_text(version, language="de") == consent.consent_text(version, language="pl")


def test_an_unknown_version_is_an_error_not_an_empty_text():
    with pytest.raises(FileNotFoundError):
        consent.consent_text("1999-1")
