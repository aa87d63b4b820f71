"""Checks of the identifiers the billing contract carries: customer codes and NIP."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)

customer_number_validator = RegexValidator(r"^\d{6}\Z", _("Numer odbiorcy to 6 cyfr, np. 001234."))
sub_code_validator = RegexValidator(r"^\d{4}\Z", _("Kod pododbiorcy to 4 cyfry, np. 0000."))
postal_code_validator = RegexValidator(r"^\d{2}-\d{3}\Z", _("Kod pocztowy ma postać NN-NNN."))


def nip_checksum_ok(digits):
    """True for a 10-digit NIP whose last digit is the weighted sum of the others mod 11."""
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits, NIP_WEIGHTS, strict=False))
    return total % 11 == int(digits[9])


def validate_nip(value):
    """NIP stored as 10 digits without dashes."""
    if not nip_checksum_ok(value):
        raise ValidationError(_("Nieprawidłowy NIP: potrzeba 10 cyfr z poprawną cyfrą kontrolną."), code="nip")


def format_nip(digits):
    """1234567890 -> 123-456-78-90, the way NIPs are printed on Polish documents."""
    if len(digits) != 10:
        return digits
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:8]}-{digits[8:]}"
