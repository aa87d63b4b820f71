"""Streets from the free-text addresses of metering points: what the public page lists and staff pick by."""

import pytest

from outages.streets import areas, find_street, parse_address

REGION = ["Będzin", "Czeladź", "Sosnowiec"]


@pytest.mark.parametrize(
    ("address", "towns", "town", "street", "number"),
    [
        ("ul. Grunwaldzka 12, Jaworzno", ["Jaworzno"], "Jaworzno", "ul. Grunwaldzka", "12"),
        ("ul. Grunwaldzka 12", ["Jaworzno"], "Jaworzno", "ul. Grunwaldzka", "12"),
        ("Al. Tysiąclecia 7, 43-603 Jaworzno", ["Jaworzno"], "Jaworzno", "al. Tysiąclecia", "7"),
        ("ul. 3 Maja 5/7 lok. 2, Sosnowiec", REGION, "Sosnowiec", "ul. 3 Maja", "5/7"),
        ("ul. 3 Maja, Sosnowiec", REGION, "Sosnowiec", "ul. 3 Maja", ""),
        ("ul. Małachowskiego 3 m. 4, 42-500 Będzin", REGION, "Będzin", "ul. Małachowskiego", "3"),
        ("ulica Armii Krajowej 120, Jaworzno", ["Jaworzno"], "Jaworzno", "ul. Armii Krajowej", "120"),
        ("ul.Grunwaldzka 12 b, Jaworzno", ["Jaworzno"], "Jaworzno", "ul. Grunwaldzka", "12B"),
        ("Plac Wolności 1, Będzin", REGION, "Będzin", "pl. Wolności", "1"),
        ("os. 1000-lecia 5, Czeladź", REGION, "Czeladź", "os. 1000-lecia", "5"),
        ("ul. Grunwaldzka 12B, budynek B (węzeł w piwnicy, wejście od podwórza)", ["Jaworzno"], "Jaworzno",
         "ul. Grunwaldzka", "12B"),
        ("ul. Kościuszki 4, budynek B", REGION, "", "ul. Kościuszki", "4"),
        ("  ul.   Grunwaldzka   12 ,  Jaworzno ", ["Jaworzno"], "Jaworzno", "ul. Grunwaldzka", "12"),
    ],
)  # fmt: skip
def test_it_reads_street_number_and_town_from_an_address(address, towns, town, street, number):
    parsed, parsed_number = parse_address(address, towns)
    assert (parsed.town, parsed.name, parsed_number) == (town, street, number)


def test_spellings_of_one_street_are_one_street():
    keys = {parse_address(text, ["Jaworzno"])[0].key for text in
            ["ul. Grunwaldzka 1", "Grunwaldzka 3", "UL.  GRUNWALDZKA 5", "ulica Grunwaldzka 7"]}  # fmt: skip
    assert keys == {"grunwaldzka"}


def test_an_empty_address_has_no_street():
    assert parse_address("", ["Jaworzno"])[0].key == ""


def test_areas_group_numbers_by_street_and_town_in_natural_order():
    addresses = ["ul. Grunwaldzka 12, Jaworzno", "ul. Grunwaldzka 2, Jaworzno", "ul. Grunwaldzka 12B, Jaworzno",
                 "ul. Grunwaldzka 12, Jaworzno", "Al. Tysiąclecia 7, Jaworzno", ""]  # fmt: skip
    assert areas(addresses, ["Jaworzno"]) == [
        {"town": "Jaworzno", "street": "ul. Grunwaldzka", "numbers": ["2", "12", "12B"]},
        {"town": "Jaworzno", "street": "al. Tysiąclecia", "numbers": ["7"]},
    ]


def test_the_same_street_name_in_two_towns_is_two_streets():
    addresses = ["ul. Małachowskiego 3, Będzin", "ul. Małachowskiego 3, Sosnowiec"]
    assert [area["town"] for area in areas(addresses, REGION)] == ["Będzin", "Sosnowiec"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Grunwaldzka", ("", "grunwaldzka")),
        ("ul. Małachowskiego, będzin", ("Będzin", "małachowskiego")),
        ("  al.  Tysiąclecia ", ("", "tysiąclecia")),
    ],
)
def test_what_staff_type_names_a_street(typed, expected):
    assert find_street(typed, REGION) == expected
