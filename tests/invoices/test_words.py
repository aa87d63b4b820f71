from decimal import Decimal

import pytest

from invoices.words import amount_in_words, number_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.56", "jeden tysiąc dwieście trzydzieści cztery złote 56/100"),
        ("0.01", "zero złotych 01/100"),
        ("0.00", "zero złotych 00/100"),
        ("1.00", "jeden złoty 00/100"),
        ("2.50", "dwa złote 50/100"),
        ("5.00", "pięć złotych 00/100"),
        ("12.00", "dwanaście złotych 00/100"),
        ("22.00", "dwadzieścia dwa złote 00/100"),
        ("112.00", "sto dwanaście złotych 00/100"),
        ("1000000.00", "jeden milion złotych 00/100"),
        ("2000000.00", "dwa miliony złotych 00/100"),
        ("5000000.00", "pięć milionów złotych 00/100"),
        ("22000.00", "dwadzieścia dwa tysiące złotych 00/100"),
        ("25000.00", "dwadzieścia pięć tysięcy złotych 00/100"),
        ("12000.00", "dwanaście tysięcy złotych 00/100"),
        ("1001.10", "jeden tysiąc jeden złotych 10/100"),
        (
            "999999999999.99",
            (
                "dziewięćset dziewięćdziesiąt dziewięć miliardów dziewięćset dziewięćdziesiąt dziewięć milionów "
                "dziewięćset dziewięćdziesiąt dziewięć tysięcy dziewięćset dziewięćdziesiąt dziewięć złotych 99/100"
            ),
        ),
        ("-123.00", "minus sto dwadzieścia trzy złote 00/100"),
        ("-0.01", "minus zero złotych 01/100"),
        ("-1540.75", "minus jeden tysiąc pięćset czterdzieści złotych 75/100"),
    ],
)
def test_amounts_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_grosze_are_rounded_half_up():
    assert amount_in_words(Decimal("10.005")) == "dziesięć złotych 01/100"


def test_teens_and_hundreds():
    assert number_in_words(417) == "czterysta siedemnaście"
    assert number_in_words(200_013) == "dwieście tysięcy trzynaście"


def test_it_refuses_numbers_it_cannot_spell():
    with pytest.raises(ValueError, match="poza zakresem"):
        number_in_words(1000**4)


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        ("573.032000", 0, "573,032"),
        ("70.76000000", 2, "70,76"),
        ("64", 2, "64,00"),
        ("10597.67000000", 2, "10\u00a0597,67"),
        ("0.250000", 0, "0,25"),
        ("-12.500", 0, "\u221212,5"),  # the minus sign, as every negative number is printed
        ("1000", 0, "1\u00a0000"),
    ],
)
def test_quantities_and_prices_lose_only_trailing_zeros(value, places, shown):
    from decimal import Decimal

    from invoices.templatetags.money import amount

    assert amount(Decimal(value), places) == shown
