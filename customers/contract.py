"""The billing export contract (spec/billing-export.md, v1) as data: files, columns, model fields.

Shared by the demo export, which writes these files, and by everything that reads them.
"""

import datetime
from decimal import Decimal


def format_cell(value):
    """A value as the billing system writes it: decimal comma, DD.MM.RRRR dates, nothing for None.
    The portal's own CSV downloads write cells the same way (``consumption.exports``)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    return str(value)


# The six files in the order they are processed; each with its columns in the order eBOK writes them.
FILES = {
    "odbiorcy.csv": [
        "kod", "pododbiorca", "nazwa", "nip", "ulica", "kod_pocztowy", "miejscowosc", "telefon", "aktywny",
    ],
    "punkty.csv": ["punkt", "kod", "pododbiorca", "adres", "grupa_taryfowa", "moc_zamowiona_mw"],
    "odczyty.csv": ["punkt", "data_od", "data_do", "stan_licznika_gj", "zuzycie_gj", "rodzaj"],
    "faktury.csv": [
        "numer", "kod", "pododbiorca", "data_wystawienia", "okres_od", "okres_do", "termin_platnosci",
        "netto", "vat", "brutto", "rodzaj", "korygowana", "numer_ksef", "rachunek",
    ],
    "pozycje.csv": ["numer", "lp", "nazwa", "jm", "ilosc", "cena_netto", "wartosc_netto", "stawka_vat"],
    "wplaty.csv": ["id", "kod", "pododbiorca", "data", "kwota", "tytul", "numer_faktury"],
}  # fmt: skip

# Columns that are stored as they are, by model field. The rest are keys and references
# (kod + pododbiorca, punkt, numer, korygowana, numer_faktury) and flags (aktywny).
FIELDS = {
    "odbiorcy.csv": {
        "nazwa": "name",
        "nip": "nip",
        "ulica": "street",
        "kod_pocztowy": "postal_code",
        "miejscowosc": "city",
        "telefon": "phone",
    },
    "punkty.csv": {
        "punkt": "identifier",
        "adres": "address",
        "grupa_taryfowa": "tariff_group",
        "moc_zamowiona_mw": "ordered_power_mw",
    },
    "odczyty.csv": {
        "data_od": "period_from",
        "data_do": "period_to",
        "stan_licznika_gj": "meter_reading_gj",
        "zuzycie_gj": "consumption_gj",
        "rodzaj": "kind",
    },
    "faktury.csv": {
        "numer": "number",
        "data_wystawienia": "issue_date",
        "okres_od": "period_from",
        "okres_do": "period_to",
        "termin_platnosci": "due_date",
        "netto": "net",
        "vat": "vat",
        "brutto": "gross",
        "rodzaj": "kind",
        "numer_ksef": "ksef_number",
        "rachunek": "payment_account",
    },
    "pozycje.csv": {
        "lp": "position",
        "nazwa": "name",
        "jm": "unit",
        "ilosc": "quantity",
        "cena_netto": "unit_net_price",
        "wartosc_netto": "net_value",
        "stawka_vat": "vat_rate",
    },
    "wplaty.csv": {"id": "billing_id", "data": "date", "kwota": "amount", "tytul": "title"},
}


# Columns a file must have (the bold ones of the contract); the rest may be missing from the header.
REQUIRED = {
    "odbiorcy.csv": ["kod", "nazwa"],
    "punkty.csv": ["punkt", "kod", "adres"],
    "odczyty.csv": ["punkt", "data_od", "data_do", "zuzycie_gj"],
    "faktury.csv": ["numer", "kod", "data_wystawienia", "termin_platnosci", "netto", "vat", "brutto"],
    "pozycje.csv": ["numer", "lp", "nazwa", "wartosc_netto", "stawka_vat"],
    "wplaty.csv": ["id", "kod", "data", "kwota"],
}

# The key of each file's rows inside one region: a file must not repeat it.
KEYS = {
    "odbiorcy.csv": ["kod", "pododbiorca"],
    "punkty.csv": ["punkt"],
    "odczyty.csv": ["punkt", "data_od", "data_do"],
    "faktury.csv": ["numer"],
    "pozycje.csv": ["numer", "lp"],
    "wplaty.csv": ["id"],
}

# The type of every column. ("decimal", digits, places, minimum) follows the model field's precision;
# minimum is None (any sign), "0" (at least zero) or "0+" (more than zero). ("text", n) is a text of at
# most n characters; plain "text" takes its length from the model field of FIELDS.
TYPES = {
    "odbiorcy.csv": {
        "kod": "customer_number", "pododbiorca": "sub_code", "nazwa": "text", "nip": "nip", "ulica": "text",
        "kod_pocztowy": "postal_code", "miejscowosc": "text", "telefon": "text", "aktywny": ("choice", "T", "N"),
    },
    "punkty.csv": {
        "punkt": "text", "kod": "customer_number", "pododbiorca": "sub_code", "adres": "text",
        "grupa_taryfowa": "text", "moc_zamowiona_mw": ("decimal", 10, 4, "0"),
    },
    "odczyty.csv": {
        "punkt": ("text", 30), "data_od": "date", "data_do": "date", "stan_licznika_gj": ("decimal", 14, 3, "0"),
        "zuzycie_gj": ("decimal", 14, 3, "0"), "rodzaj": ("choice", "R", "S"),
    },
    "faktury.csv": {
        "numer": "text", "kod": "customer_number", "pododbiorca": "sub_code", "data_wystawienia": "date",
        "okres_od": "date", "okres_do": "date", "termin_platnosci": "date", "netto": ("decimal", 14, 2, None),
        "vat": ("decimal", 14, 2, None), "brutto": ("decimal", 14, 2, None), "rodzaj": ("choice", "VAT", "KOR"),
        "korygowana": ("text", 60), "numer_ksef": "ksef_number", "rachunek": "nrb",
    },
    "pozycje.csv": {
        "numer": ("text", 60), "lp": "position", "nazwa": "text", "jm": "text", "ilosc": ("decimal", 18, 6, None),
        "cena_netto": ("decimal", 20, 8, None), "wartosc_netto": ("decimal", 14, 2, None),
        "stawka_vat": ("choice", "23", "8", "5", "0", "zw", "np"),
    },
    "wplaty.csv": {
        "id": "text", "kod": "customer_number", "pododbiorca": "sub_code", "data": "date",
        "kwota": ("decimal", 14, 2, "0+"), "tytul": "text", "numer_faktury": ("text", 60),
    },
}  # fmt: skip
