"""Money: ``|zl`` prints exactly what Django's number_format prints (two places, grouped, the language's
separators), with the minus sign U+2212 and a non-breaking space before "zł", whatever path it takes."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import strategies as st

from invoices.templatetags.money import zl


def through_django(value):
    return number_format(value, decimal_pos=2, force_grouping=True).replace("-", "\u2212") + "\xa0zł"


@pytest.mark.parametrize(
    ("language", "value", "printed"),
    [
        ("pl", Decimal("1234567.89"), "1\xa0234\xa0567,89\xa0zł"),
        ("pl", Decimal("-1230.00"), "\u22121\xa0230,00\xa0zł"),
        ("pl", Decimal("-0.00"), "0,00\xa0zł"),
        ("pl", Decimal("0.005"), "0,00\xa0zł"),
        ("pl", Decimal("-12.349"), "\u221212,34\xa0zł"),  # Django cuts places, it does not round them
        ("pl", 7, "7,00\xa0zł"),
        ("en", Decimal("-1234567.89"), "\u22121,234,567.89\xa0zł"),
        ("en", Decimal("999.5"), "999.50\xa0zł"),
        ("pl", None, ""),
        ("pl", "", ""),
    ],
)
def test_it_prints_money_the_polish_way_and_the_english_way(language, value, printed):
    with translation.override(language):
        assert zl(value) == printed


amounts = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**6), max_value=10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=0, min_value=-(10**15), max_value=10**15),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
)


@given(value=amounts, language=st.sampled_from(["pl", "en"]))
def test_it_prints_what_number_format_prints(value, language):
    with translation.override(language):
        assert zl(value) == through_django(value)
