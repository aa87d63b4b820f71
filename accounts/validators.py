"""Password rules beyond Django's: long passwords allowed, no passwords built on guessable words."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FORBIDDEN_WORDS = [
    "jaworzno", "bedzin", "czeladz", "sosnowiec", "sce", "ebok", "cieplo", "cieplownicza",
    "energetyczna", "haslo", "password", "qwerty",
]  # fmt: skip
# What must be left of a password once the guessable words are taken out.
MINIMUM_REST = 8


def fold(text):
    """Lower case without Polish diacritics: Ciepło -> cieplo, Będzin -> bedzin."""
    text = text.lower().replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class MaximumLengthValidator:
    """Long passphrases are welcome; the cap only stops absurd input from costing hashing time."""

    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Hasło może mieć najwyżej %(max)d znak.",
                    "Hasło może mieć najwyżej %(max)d znaków.",
                    self.max_length,
                )
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return ngettext(
            "Hasło może mieć do %(max)d znaku; spacje są dozwolone.",
            "Hasło może mieć do %(max)d znaków; spacje są dozwolone.",
            self.max_length,
        ) % {"max": self.max_length}


class ForbiddenWordsValidator:
    """No password that is mostly the company's or a town's name, "hasło", "ciepło" or the customer's code."""

    def validate(self, password, user=None):
        words = list(FORBIDDEN_WORDS)
        customer = getattr(user, "customer", None)
        if customer is not None:
            words += [customer.number, customer.number.lstrip("0"), customer.portal_code, customer.sub_code]
        rest = fold(password)
        for word in sorted({w for w in words if w}, key=len, reverse=True):
            rest = rest.replace(word, "")
        if len(re.sub(r"[\W_]", "", rest)) < MINIMUM_REST:
            raise ValidationError(
                _(
                    "Hasło nie może opierać się na nazwie firmy lub miejscowości, słowach „hasło” i „ciepło” "
                    "ani na kodzie odbiorcy."
                ),
                code="password_guessable",
            )

    def get_help_text(self):
        return _(
            "Hasło nie może opierać się na nazwie firmy lub miejscowości, słowach „hasło” i „ciepło” ani na kodzie "
            "odbiorcy."
        )
