"""Checks of the payment and KSeF identifiers on invoices."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KSEF_NUMBER_RE = re.compile(r"^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}\Z")


def crc8(data: bytes) -> int:
    """CRC-8 with polynomial 0x07, initial value 0, no reflection (KSeF number checksum)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ksef_checksum(body: str) -> str:
    """The two hex digits that end a KSeF number, computed over its first 32 characters."""
    return f"{crc8(body.encode('ascii')):02X}"


def ksef_number_ok(value):
    return bool(KSEF_NUMBER_RE.match(value)) and ksef_checksum(value[:32]) == value[33:]


def validate_ksef_number(value):
    if not ksef_number_ok(value):
        raise ValidationError(
            _("Nieprawidłowy numer KSeF: oczekiwano NIP-RRRRMMDD-XXXXXXXXXXXX-CC z poprawną sumą kontrolną."),
            code="ksef_number",
        )


def nrb_checksum_ok(digits):
    """A Polish account number (NRB, 26 digits) is valid when PL + its digits pass the IBAN mod-97 test."""
    if not re.fullmatch(r"\d{26}", digits):
        return False
    # IBAN: move "PL" + check digits to the end, letters as numbers (P=25, L=21).
    return int(digits[2:] + "2521" + digits[:2]) % 97 == 1


def nrb_check_digits(bban: str) -> str:
    """The two check digits that make the 24-digit account body `bban` a valid NRB."""
    return f"{98 - int(bban + '252100') % 97:02d}"


def validate_nrb(value):
    if not nrb_checksum_ok(value):
        raise ValidationError(
            _("Nieprawidłowy numer rachunku: potrzeba 26 cyfr z poprawnymi cyframi kontrolnymi."), code="nrb"
        )


def format_nrb(digits):
    """12345678901234567890123456 -> 12 3456 7890 1234 5678 9012 3456."""
    if len(digits) != 26:
        return digits
    return digits[:2] + " " + " ".join(digits[i : i + 4] for i in range(2, 26, 4))
