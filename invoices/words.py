"""Amounts in Polish words, as printed under an invoice's total ("słownie").

``amount_in_words(Decimal("1234.56"))`` → ``jeden tysiąc dwieście trzydzieści cztery złote 56/100``.
The złote are spelled out with the right grammatical form (złoty, złote, złotych); the grosze are
written as a fraction of 100, the way Polish invoices do. A negative amount starts with ``minus``; an
invoice never prints one: a correction that lowers an invoice shows its amount to return ("Do zwrotu")
as a positive amount, and spells that (invoices/documents.py).
"""

from decimal import ROUND_HALF_UP, Decimal

UNITS = ["", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć"]
TEENS = [
    "dziesięć",
    "jedenaście",
    "dwanaście",
    "trzynaście",
    "czternaście",
    "piętnaście",
    "szesnaście",
    "siedemnaście",
    "osiemnaście",
    "dziewiętnaście",
]
TENS = [
    "",
    "",
    "dwadzieścia",
    "trzydzieści",
    "czterdzieści",
    "pięćdziesiąt",
    "sześćdziesiąt",
    "siedemdziesiąt",
    "osiemdziesiąt",
    "dziewięćdziesiąt",
]
HUNDREDS = [
    "",
    "sto",
    "dwieście",
    "trzysta",
    "czterysta",
    "pięćset",
    "sześćset",
    "siedemset",
    "osiemset",
    "dziewięćset",
]
# (one, two to four, five and more) for each power of a thousand.
SCALES = [
    None,
    ("tysiąc", "tysiące", "tysięcy"),
    ("milion", "miliony", "milionów"),
    ("miliard", "miliardy", "miliardów"),
]
ZLOTY = ("złoty", "złote", "złotych")


def plural(count, forms):
    """The Polish noun form after `count`: 1 złoty, 2–4 złote (not 12–14), 5 and more złotych."""
    one, few, many = forms
    if count == 1:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many


def _below_thousand(number):
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words = [HUNDREDS[hundreds]]
    if tens == 1:
        words.append(TEENS[units])
    else:
        words += [TENS[tens], UNITS[units]]
    return [word for word in words if word]


def number_in_words(number):
    """A whole number from 0 to 999 999 999 999 in Polish words."""
    if not 0 <= number < 1000**4:
        raise ValueError(f"Liczba poza zakresem: {number}")
    if number == 0:
        return "zero"
    words = []
    for power in range(len(SCALES) - 1, -1, -1):
        group = number // 1000**power % 1000
        if not group:
            continue
        words += _below_thousand(group)
        if power:
            words.append(plural(group, SCALES[power]))
    return " ".join(words)


def amount_in_words(amount):
    """`amount` in złote as Polish words with the grosze as ``NN/100``; negative amounts get ``minus``."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "minus " if amount < 0 else ""
    zlote, grosze = divmod(int(abs(amount) * 100), 100)
    return f"{sign}{number_in_words(zlote)} {plural(zlote, ZLOTY)} {grosze:02d}/100"
