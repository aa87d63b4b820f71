"""The billing export contract (spec/billing-export.md, v1) as data: files, columns, model fields.

Shared by the demo export, which writes these files, and by everything that reads them.
"""

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


def model_fields(name, row):
    """The plain columns of a typed row as model field values."""
    return {field: row[column] for column, field in FIELDS[name].items()}
