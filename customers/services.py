"""Steps on customers that span several models or send e-mail."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import emails
from accounts.models import StaffAction
from customers import consent
from customers.models import Customer, EinvoiceConsent
from ops.events import security_event


class ConsentRefused(Exception):
    """The change cannot be recorded; the message says why, in words for the customer or staff."""


def einvoice_consent_record(
    *, customer, action, channel, user=None, ip=None, staff=None, signed_on=None, replaced_email=None
):
    """Add one record (grant or withdrawal) of `customer`'s e-invoice consent; return it.

    In one transaction, with the customer's row locked: the record, the customer's flag following it,
    the confirmation e-mail to the enrolled address and, for a paper record, the staff member's log entry.
    The record names the address on file and the text version in force, and takes effect today.
    `replaced_email`: a withdrawal because staff replaced or removed that address (see
    einvoice_consent_end_on_email_change): the record names it, and the confirmation says why.
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
            email=customer.email if replaced_email is None else replaced_email,
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
        if granting:
            emails.einvoice_consent_granted(consent=record)
        else:
            emails.einvoice_consent_withdrawn(consent=record, email_changed=replaced_email is not None)
        if channel == EinvoiceConsent.Channel.PAPER:
            StaffAction.objects.einvoice_consent_on_paper(staff=staff, consent=record)
    security_event("einvoice_consent_changed", customer=customer, user=staff or user, action=action, channel=channel)
    return record


def einvoice_consent_end_on_email_change(*, customer, old_email, staff):
    """End `customer`'s e-invoice consent because staff replaced or removed `old_email`; return the record or None.

    Call it in the transaction that saves the new address. The consent covers invoices sent to one address,
    the one it names (art. 106n: the customer accepts that address), so it does not pass to a new one: the
    customer accepts again for the new address, in eBOK or on paper. Until then invoices go by post.

    How it is recorded, and why so: a withdrawal (what it does to the consent: it ends from today), on
    paper (the customer's signed, written request to change the address is what stands behind it), entered
    by `staff`, the staff member who entered that request, with `signed_on` the request's date
    (`Customer.email_requested_on`, which the admin form requires anew for every change or removal). It
    names the old address, the one the consent covered. The model has no third channel for this, and a new
    one would add nothing a reader of the history needs: the staff log (StaffAction) holds the address change
    beside it, at the same moment, by the same person. The confirmation goes to the new address, if any, and
    says that the consent was for the old one and how to accept it again; the notice to the old address
    (accounts.emails.email_changed) says the same.
    """
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if not locked.einvoice_consent:
            return None
        return einvoice_consent_record(
            customer=locked,
            action=EinvoiceConsent.Action.WITHDRAWN,
            channel=EinvoiceConsent.Channel.PAPER,
            staff=staff,
            signed_on=locked.email_requested_on,
            replaced_email=old_email,
        )
