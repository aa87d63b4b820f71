"""Streets from metering points' addresses: what the public page lists and what staff pick points by.

A point's address is free text from the billing system ("ul. Grunwaldzka 12, Jaworzno", "Al. Tysiąclecia 7,
43-603 Jaworzno", "ul. 3 Maja 5/7 lok. 2, Sosnowiec", "ul. Grunwaldzka 12B, budynek B (węzeł w piwnicy)").
It is derived here rather than stored: the billing export has no street column, and a stored copy would go
stale with every import that corrects an address. What an outage showed when it was published is kept on
the outage itself (Outage.areas), so a later change of an address does not rewrite its history.

The first comma-separated part is the street and the building number (the number being its last token that
starts with a digit: "ul. 3 Maja 5" is number 5 of "ul. 3 Maja"). The town is the part that names one of
the region's towns (or follows a postal code); an address without one is in the region's only town, or in
no named town. Streets compare by their name without the kind ("ul.", "ulica", "al.", "aleja" …), case or
extra spaces, so "Grunwaldzka", "ul. Grunwaldzka" and "UL.  GRUNWALDZKA" are one street.

What the public page, the Atom feed and the calendar show (:func:`areas`) is stricter, since the free text may
hold anything a clerk typed: a name ("Jan Kowalski, ul. Leśna 5"), a node ("ul. Polna 7 - węzeł W-0999"), a
flat ("ul. Ogrodowa 5/3"). Only an address whose first part begins with a street's kind, its name and a
building number is shown, and only those three: the flat ("/3", "lok. 3", "m. 3") and whatever follows the
number are dropped. An address that does not begin so is held back from the public page altogether
(:func:`held_back`); the admin lists such addresses to staff, who fix them in the billing system.

Building numbers are listed by street even when a street has a single affected building, so that a one-building
outage names one address: that is how heat companies announce outages, and it is needed (a resident must see
that the building is theirs). A building's address is not a customer's name or code: a block of flats or an
office building has many occupants, and the page never says who is supplied there. A flat number would point
at a household, and is never shown.
"""

import re
from dataclasses import dataclass

KINDS = {
    "ul": "ul.",
    "ulica": "ul.",
    "al": "al.",
    "aleja": "al.",
    "aleje": "al.",
    "pl": "pl.",
    "plac": "pl.",
    "os": "os.",
    "osiedle": "os.",
    "rondo": "rondo",
    "skwer": "skwer",
}
_KIND = re.compile(r"^(?P<kind>[^\W\d_]+)\.?\s+", re.UNICODE)
# A building number: 12, 12B, 12 b, 5/7, 5-7, 12A/3, optionally followed by a flat ("lok. 3", "m. 3", "/3").
_NUMBER = re.compile(
    r"\s+(?P<number>\d+\s?[^\W\d_]?(?:\s?[/-]\s?\d+[^\W\d_]?)?)(?:\s+(?:lok\.?|m\.|mieszk\.?)\s*\S+)?$",
    re.UNICODE,
)
_POSTAL = re.compile(r"^\d{2}-\d{3}\s+(?P<town>.+)$")
# The public form: a known kind, a name of words ("Armii Krajowej", "3 Maja", "1000-lecia", "Św. Wojciecha"; no
# word mixing letters and digits, such as a node "W-0999") and a building number with an optional letter.
_WORD = r"(?:[^\W\d_]+(?:[.'-][^\W\d_]+)*\.?|\d+(?:-[^\W\d_]+)?)"
_PUBLIC = re.compile(
    rf"^(?P<kind>{'|'.join(sorted(KINDS, key=len, reverse=True))})\.?\s+(?P<name>{_WORD}(?:\s{_WORD})*?)"
    r"\s(?P<number>\d+(?:\s?[^\W\d_](?![^\W\d_]|\.))?)(?![\d\w])",
    re.IGNORECASE | re.UNICODE,
)


@dataclass(frozen=True)
class Street:
    """A street of a town: `name` as written in the address ("ul. Grunwaldzka"), `key` as compared."""

    town: str
    name: str
    key: str

    @property
    def label(self):
        return f"{self.name}, {self.town}" if self.town else self.name


def street_key(name):
    """ "ul. Grunwaldzka" → "grunwaldzka": the name without its kind, for comparing."""
    words = " ".join(name.replace(".", ". ").split())
    match = _KIND.match(words)
    if match and match["kind"].lower() in KINDS:
        words = words[match.end() :]
    return " ".join(words.lower().replace(".", " ").split())


def display_name(name):
    """ "ulica Armii Krajowej" → "ul. Armii Krajowej": one spelling of the kind, so that a street is listed once."""
    name = " ".join(name.replace(".", ". ").split())
    match = _KIND.match(name)
    if match and match["kind"].lower() in KINDS:
        return f"{KINDS[match['kind'].lower()]} {name[match.end() :]}"
    return name


def _town(parts, towns):
    by_key = {town.lower(): town for town in towns}
    for part in parts:
        if part.lower() in by_key:
            return by_key[part.lower()]
        postal = _POSTAL.match(part)
        if postal:
            return by_key.get(postal["town"].lower(), postal["town"])
    return towns[0] if len(towns) == 1 else ""


def parse_address(address, towns=()):
    """(Street, building number) of a free-text address; `towns` are the region's towns. The number is ""
    when the address has none; the street's name is "" when the address is empty."""
    parts = [" ".join(part.split()) for part in (address or "").split(",")]
    first, rest = parts[0], [part for part in parts[1:] if part]
    match = _NUMBER.search(first)
    name, number = (first[: match.start()], match["number"].replace(" ", "").upper()) if match else (first, "")
    town = _town(rest, list(towns))
    return Street(town=town, name=display_name(name), key=street_key(name)), number


def public_address(address, towns=()):
    """(Street, building number) of `address` as the public page shows it, or None when its first part does not
    begin with a street's kind, name and building number (module docstring)."""
    parts = [" ".join(part.replace(".", ". ").split()) for part in (address or "").split(",")]
    match = _PUBLIC.match(parts[0])
    if match is None:
        return None
    name = f"{match['kind']}. {match['name']}"
    town = _town([part for part in parts[1:] if part], list(towns))
    number = match["number"].replace(" ", "").upper()
    return Street(town=town, name=display_name(name), key=street_key(name)), number


def held_back(addresses, towns=()):
    """The addresses that :func:`areas` leaves out, for staff to correct."""
    return sorted({address for address in addresses if public_address(address, towns) is None})


def region_towns(region):
    return [town.strip() for town in region.towns.split(",") if town.strip()]


def _number_order(number):
    digits = re.match(r"\d+", number)
    return (int(digits[0]) if digits else 0, number)


def areas(addresses, towns=()):
    """The streets of `addresses` with their building numbers, as the public page shows them:
    [{"town": "Jaworzno", "street": "ul. Grunwaldzka", "numbers": ["10", "12", "12B"]}, …] by town and street;
    an address that is not a street, name and number is left out (module docstring)."""
    grouped = {}
    for address in addresses:
        parsed = public_address(address, towns)
        if parsed is None:
            continue
        street, number = parsed
        entry = grouped.setdefault((street.town, street.key), {"town": street.town, "street": street.name})
        entry.setdefault("numbers", set()).add(number)
    return [
        {**entry, "numbers": sorted(entry["numbers"], key=_number_order)}
        for _key, entry in sorted(grouped.items(), key=lambda item: (item[0][0].lower(), item[0][1]))
    ]


def find_street(text, towns=()):
    """What staff typed to name a street ("Grunwaldzka", "ul. Grunwaldzka, Jaworzno") as (town or "", key)."""
    name, _comma, town = text.partition(",")
    town = " ".join(town.split())
    by_key = {known.lower(): known for known in towns}
    return by_key.get(town.lower(), town), street_key(name)
