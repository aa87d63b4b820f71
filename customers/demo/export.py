"""A realistic, deterministic billing export for demos, tests and benchmarks.

``DemoExport(region, customers=N, seed=S, until=date, today=date)`` yields one :class:`Account` at a
time — a customer with its metering points, monthly readings, invoices with lines, and payments — as
rows of the CSV contract (``spec/billing-export.md``) with typed values (``Decimal``, ``date``). The
same arguments always give the same rows, and memory stays flat whatever N is, so the generator can
feed a 50,000-customer benchmark as well as the ``make run`` demo. Nothing is dated after ``today``
(``demo_data`` passes the real date): the demo never shows an invoice from the future.

What it contains, per region:
- customer codes from 1001 upwards: 1001 has one sub-customer (0001), every code divisible by 4 has
  one or two (a housing cooperative and its buildings), the rest are single accounts; code 1003 left
  a year ago (inactive, its history kept);
- 1–3 heat nodes per account with tariff group and ordered power; 36 months (``months``) of
  readings with a seasonal shape (winter ≈ 7× summer), about 6 % of them estimates;
- a monthly invoice per account for heat (GJ), ordered power (MW) and fixed and variable
  transmission fees, VAT 23 %, with KSeF numbers from February 2026 (when KSeF became mandatory);
- payments, mostly on time; some late, some missing, and the newest invoice often not paid yet;
- for code 1001-0000 (the demo login): one correction (KOR) of a price, one late and one missing
  payment, so every state of the invoice list can be seen.
"""

import calendar
import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from customers.demo.names import (
    COMPANIES,
    COOPERATIVES,
    FIRST_NAMES,
    SCHOOLS,
    STREETS,
    SURNAMES,
    TARIFF_GROUPS,
    TOWNS,
    feminine,
)
from customers.validators import NIP_WEIGHTS
from invoices.validators import ksef_checksum, nrb_check_digits

CENT = Decimal("0.01")
VAT_RATE = Decimal("0.23")
FIRST_CODE = 1001
KSEF_START = datetime.date(2026, 2, 1)

# Share of a year's heat used in each month, January first: heating from October to April,
# hot water only in summer.
SEASON = [0.165, 0.145, 0.125, 0.075, 0.035, 0.022, 0.020, 0.020, 0.033, 0.080, 0.120, 0.160]

# Net tariff of 2024 (zł); other years follow with about 5 % a year.
TARIFF_2024 = {
    "heat": Decimal("64.18"),  # zł/GJ
    "power": Decimal("9612.40"),  # zł/MW per month
    "transmission_fixed": Decimal("4380.15"),  # zł/MW per month
    "transmission_variable": Decimal("22.47"),  # zł/GJ
}

LINE_HEAT = "Opłata za ciepło"
LINE_POWER = "Opłata za zamówioną moc cieplną"
LINE_TRANSMISSION_FIXED = "Opłata stała za usługi przesyłowe"
LINE_TRANSMISSION_VARIABLE = "Opłata zmienna za usługi przesyłowe"


def money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def month_start(day):
    return day.replace(day=1)


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def next_working_day(day):
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def tariff(year):
    factor = Decimal("1.05") ** (year - 2024)
    return {name: (price * factor).quantize(CENT, rounding=ROUND_HALF_UP) for name, price in TARIFF_2024.items()}


@dataclass
class Account:
    """One customer and everything the export says about it, as rows of the six contract files."""

    customer: dict
    points: list = field(default_factory=list)
    readings: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    payments: list = field(default_factory=list)

    @property
    def key(self):
        return self.customer["kod"], self.customer["pododbiorca"]


class DemoExport:
    """Iterate to get the region's accounts; counters (invoice and payment numbers) run across them."""

    def __init__(self, region, *, customers, seed, until, months=36, seller_nip="6320000068", today=None):
        self.region = region
        self.customers = customers
        self.seed = seed
        self.last_month = month_start(until)
        self.first_month = add_months(self.last_month, -(months - 1))
        self.seller_nip = seller_nip
        self.region_digit = "1" if region == "jaworzno" else "2"
        # Nothing is dated after `today`: a month not over yet has no reading, an invoice issued on the 4th
        # of next month is not there yet, nor is a payment still to come.
        self.today = today or datetime.date.max

    def __iter__(self):
        rng = random.Random(f"{self.seed}:{self.region}")
        self._invoice_seq = {}
        self._payment_seq = 0
        self._point_seq = 100
        made = 0
        code = FIRST_CODE
        while made < self.customers:
            subs = self._sub_codes(rng, code, self.customers - made)
            parent = None
            for sub in subs:
                account = self._account(rng, code, sub, parent)
                parent = parent or account
                made += 1
                yield account
            code += 1

    def _sub_codes(self, rng, code, left):
        if code == FIRST_CODE:
            return ["0000", "0001"][:left]
        if left == 1 or code % 4:
            return ["0000"]
        return ["0000", *(f"{n:04d}" for n in range(1, min(left, rng.randint(2, 3))))]

    # -- the customer -------------------------------------------------------------------------

    def _account(self, rng, code, sub, parent):
        town, postal = rng.choice(TOWNS[self.region])
        street = f"ul. {rng.choice(STREETS[town])} {rng.randint(1, 120)}"
        kind, name, nip, power_range = self._identity(rng, code, sub, parent, street)
        inactive = code == FIRST_CODE + 2 and sub == "0000"
        account = Account(
            customer={
                "kod": str(code),
                "pododbiorca": sub,
                "nazwa": name,
                "nip": nip,
                "ulica": street,
                "kod_pocztowy": postal,
                "miejscowosc": town,
                "telefon": self._phone(rng),
                "aktywny": "N" if inactive else "T",
            }
        )
        # A customer that left a year ago keeps its history, which then stops.
        last = add_months(self.last_month, -12) if inactive else self.last_month
        for _ in range(1 if kind in ("home", "company") else rng.randint(1, 3)):
            self._point(rng, account, town, power_range)
        for month in self._months(last):
            self._month(rng, account, month)
        if (code, sub) == (FIRST_CODE, "0000"):
            self._demo_story(rng, account)
        else:
            self._pay(rng, account, account.invoices)
        return account

    def _identity(self, rng, code, sub, parent, street):
        if parent is not None:
            name = f"{parent.customer['nazwa']} — budynek {street.removeprefix('ul. ')}"
            return "cooperative", name, parent.customer["nip"], (0.15, 0.6)
        if code == FIRST_CODE or code % 4 == 0:
            return "cooperative", f"Spółdzielnia Mieszkaniowa „{rng.choice(COOPERATIVES)}”", self._nip(rng), (0.2, 0.9)
        roll = rng.random()
        if roll < 0.35:
            return "community", f"Wspólnota Mieszkaniowa {street.removeprefix('ul. ')}", self._nip(rng), (0.08, 0.35)
        if roll < 0.5:
            return "public", rng.choice(SCHOOLS).format(n=rng.randint(1, 24)), self._nip(rng), (0.1, 0.5)
        if roll < 0.7:
            company = rng.choice(COMPANIES).format(s=rng.choice(SURNAMES))
            return "company", company, self._nip(rng), (0.03, 0.2)
        first = rng.choice(FIRST_NAMES)
        surname = rng.choice(SURNAMES)
        surname = feminine(surname) if first.endswith("a") else surname
        return "home", f"{first} {surname}", "", (0.012, 0.03)

    def _phone(self, rng):
        if rng.random() < 0.5:
            return f"32 {rng.randint(200, 799)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        return f"{rng.choice(['501', '600', '512', '790', '883'])} {rng.randint(100, 999)} {rng.randint(100, 999)}"

    def _nip(self, rng):
        while True:
            digits = [rng.randint(0, 9) for _ in range(9)]
            digits[0] = rng.randint(1, 9)
            check = sum(d * w for d, w in zip(digits, NIP_WEIGHTS, strict=True)) % 11
            if check != 10:
                return "".join(map(str, digits)) + str(check)

    def _point(self, rng, account, town, power_range):
        self._point_seq += 1
        power = Decimal(str(round(rng.uniform(*power_range), 4)))
        account.points.append(
            {
                "punkt": f"W-{self._point_seq:04d}",
                "kod": account.customer["kod"],
                "pododbiorca": account.customer["pododbiorca"],
                "adres": f"{account.customer['ulica']}, {town}",
                "grupa_taryfowa": rng.choice(TARIFF_GROUPS),
                "moc_zamowiona_mw": power,
                # Internal: heat used per year, about 1,900 hours of full ordered power (GJ).
                "_annual_gj": float(power) * 3.6 * rng.uniform(1700, 2100),
                "_meter": Decimal(rng.randint(1000, 40000)),
            }
        )

    def _months(self, last):
        month = self.first_month
        while month <= last and month_end(month) <= self.today:
            yield month
            month = add_months(month, 1)

    # -- one month: readings and the invoice -------------------------------------------------

    def _month(self, rng, account, month):
        prices = tariff(month.year)
        lines = []
        for point in account.points:
            used = Decimal(point["_annual_gj"] * SEASON[month.month - 1] * rng.uniform(0.85, 1.15))
            used = used.quantize(Decimal("0.001"))
            point["_meter"] += used
            account.readings.append(
                {
                    "punkt": point["punkt"],
                    "data_od": month,
                    "data_do": month_end(month),
                    "stan_licznika_gj": point["_meter"],
                    "zuzycie_gj": used,
                    "rodzaj": "S" if rng.random() < 0.06 else "R",
                }
            )
            suffix = f" — {point['punkt']}" if len(account.points) > 1 else ""
            power = point["moc_zamowiona_mw"]
            lines += [
                (LINE_HEAT + suffix, "GJ", used, prices["heat"]),
                (LINE_POWER + suffix, "MW", power, prices["power"]),
                (LINE_TRANSMISSION_FIXED + suffix, "MW", power, prices["transmission_fixed"]),
                (LINE_TRANSMISSION_VARIABLE + suffix, "GJ", used, prices["transmission_variable"]),
            ]
        issued = next_working_day(add_months(month, 1).replace(day=4))
        if issued <= self.today:
            self._invoice(rng, account, "FV", issued, lines, period=(month, month_end(month)))

    def _invoice(self, rng, account, prefix, issued, lines, *, period, corrects=None):
        seq_key = (prefix, issued.year, issued.month)
        self._invoice_seq[seq_key] = self._invoice_seq.get(seq_key, 0) + 1
        number = f"{prefix}/{issued.year}/{issued.month:02d}/{self._invoice_seq[seq_key]:04d}"
        net = Decimal(0)
        for position, (name, unit, quantity, price) in enumerate(lines, start=1):
            value = money(quantity * price)
            net += value
            account.lines.append(
                {
                    "numer": number,
                    "lp": position,
                    "nazwa": name,
                    "jm": unit,
                    "ilosc": quantity,
                    "cena_netto": price,
                    "wartosc_netto": value,
                    "stawka_vat": "23",
                }
            )
        vat = money(net * VAT_RATE)
        ksef = ""
        if issued >= KSEF_START:
            body = f"{self.seller_nip}-{issued:%Y%m%d}-{rng.getrandbits(48):012X}"
            ksef = f"{body}-{ksef_checksum(body)}"
        bban = f"12401330{self.region_digit}00000{int(account.customer['kod']):06d}{account.customer['pododbiorca']}"
        invoice = {
            "numer": number,
            "kod": account.customer["kod"],
            "pododbiorca": account.customer["pododbiorca"],
            "data_wystawienia": issued,
            "okres_od": period[0],
            "okres_do": period[1],
            "termin_platnosci": issued + datetime.timedelta(days=14),
            "netto": net,
            "vat": vat,
            "brutto": net + vat,
            "rodzaj": "KOR" if corrects else "VAT",
            "korygowana": corrects["numer"] if corrects else "",
            "numer_ksef": ksef,
            "rachunek": nrb_check_digits(bban) + bban,
        }
        account.invoices.append(invoice)
        return invoice

    # -- payments ----------------------------------------------------------------------------

    def _payment(self, account, invoice, paid_on):
        self._payment_seq += 1
        account.payments.append(
            {
                "id": f"{self.region_digit}{self._payment_seq:09d}",
                "kod": account.customer["kod"],
                "pododbiorca": account.customer["pododbiorca"],
                "data": paid_on,
                "kwota": invoice["brutto"],
                "tytul": f"Zapłata za fakturę {invoice['numer']}",
                "numer_faktury": invoice["numer"],
            }
        )

    def _pay(self, rng, account, invoices, *, late=(), missing=()):
        for index, invoice in enumerate(invoices):
            newest = index == len(invoices) - 1
            roll = rng.random()
            if invoice["numer"] in missing or roll < 0.01 or (newest and roll < 0.6):
                continue
            due = invoice["termin_platnosci"]
            if invoice["numer"] in late or roll < 0.04:
                paid_on = due + datetime.timedelta(days=rng.randint(5, 30))
            else:
                paid_on = max(
                    invoice["data_wystawienia"] + datetime.timedelta(days=2),
                    due - datetime.timedelta(days=rng.randint(0, 10)),
                )
            if paid_on <= self.today:
                self._payment(account, invoice, paid_on)

    def _demo_story(self, rng, account):
        """Code 1001-0000: a price correction, a late and a missing payment, the newest invoice open."""
        invoices = list(account.invoices)
        corrected = invoices[-9] if len(invoices) >= 9 else None
        issued = corrected and next_working_day(corrected["data_wystawienia"] + datetime.timedelta(days=35))
        if corrected and issued <= self.today:
            heat = next(line for line in account.lines if line["numer"] == corrected["numer"] and line["jm"] == "GJ")
            self._invoice(
                rng,
                account,
                "KOR",
                issued,
                [("Korekta ceny ciepła — zastosowanie zatwierdzonej taryfy", "GJ", heat["ilosc"], Decimal("-2.15"))],
                period=(corrected["okres_od"], corrected["okres_do"]),
                corrects=corrected,
            )
        late = {invoices[-4]["numer"]} if len(invoices) >= 4 else set()
        missing = {invoices[-6]["numer"]} if len(invoices) >= 6 else set()
        missing |= {invoices[-1]["numer"]} if invoices else set()
        self._pay(rng, account, invoices, late=late, missing=missing)
