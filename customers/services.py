"""Steps on customers that span several models or send e-mail."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import emails
from accounts.models import StaffAction
from customers import consent
from customers.models import Customer, EinvoiceConsent


class ConsentRefused(Exception):
    """The change cannot be recorded; the message says why, in words for the customer or staff."""


def einvoice_consent_record(*, customer, action, channel, user=None, ip=None, staff=None, signed_on=None):
    """Add one record (grant or withdrawal) of `customer`'s e-invoice consent; return it.

    In one transaction, with the customer's row locked: the record, the customer's flag following it,
    the confirmation e-mail to the enrolled address and, for a paper record, the staff member's log entry.
    The record names the address on file and the text version in force, and takes effect today.
    Raises ConsentRefused when there is no enrolled address to consent to, or nothing would change.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        granting = action == EinvoiceConsent.Action.GRANTED
        if granting and not customer.email:
            raise ConsentRefused(
                _(
                    "Zgody na e-fakturę nie można wyrazić, bo odbiorca nie ma w eBOK adresu e-mail. Adres wpisuje"
                    " Biuro Obsługi Klienta na podstawie pisemnego wniosku."
                )
            )
        if granting == customer.einvoice_consent:
            raise ConsentRefused(
                _("Zgoda na e-fakturę jest już włączona.") if granting else _("Zgoda na e-fakturę nie jest włączona.")
            )
        now = timezone.now()
        record = EinvoiceConsent.objects.create(
            customer=customer,
            action=action,
            channel=channel,
            email=customer.email,
            text_version=consent.CURRENT_VERSION,
            effective_from=timezone.localdate(now),
            recorded_at=now,
            user=user,
            ip=ip,
            staff=staff,
            signed_on=signed_on,
        )
        customer.einvoice_consent = granting
        customer.einvoice_consent_changed_at = now
        customer.save(update_fields=["einvoice_consent", "einvoice_consent_changed_at", "updated_at"])
        (emails.einvoice_consent_granted if granting else emails.einvoice_consent_withdrawn)(consent=record)
        if channel == EinvoiceConsent.Channel.PAPER:
            StaffAction.objects.einvoice_consent_on_paper(staff=staff, consent=record)
    return record
