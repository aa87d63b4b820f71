import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User


@pytest.fixture
def user(owner):
    return User.objects.for_customer(owner)


@pytest.mark.parametrize(
    "password",
    [
        "Jaworzno2026!",
        "Ciepło-Ciepło-1",
        "haslo-haslo-haslo",
        "BĘDZIN czeladź",
        "001234-0000-1234",
        "Sosnowiec 12345",
        "short pass",
        "123456789012345",
        "password12345",
    ],
)
def test_guessable_or_short_passwords_are_refused(user, password):
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.parametrize(
    "password",
    [
        "lato nad zalewem Sosina",
        "kotwica-mrówka-tramwaj",
        "alllowercaseonlywords",  # no composition rules
        "Jaworzno jest piękne zimą",  # a town in a longer passphrase is fine
        "p" * 64 + "q" * 64,  # long passphrases are allowed, up to 128
    ],
)
def test_good_passphrases_pass(user, password):
    validate_password(password, user)


def test_passwords_over_128_characters_are_refused(user):
    with pytest.raises(ValidationError, match="najwyżej 128"):
        validate_password("abcdefgh" * 17, user)
