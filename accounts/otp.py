"""One-time passwords: made from a per-request nonce and the secret key, checked against a hash.

The clear text is never stored: the e-mail worker rebuilds it from the nonce (a random value) and
SECRET_KEY, so the task queue, logs and error reports hold nothing that logs in. The hash (the
project's password hasher) is what login checks. The nonce is kept while the password works, so
that a new request from the page mails the same password again instead of voiding the one the
owner may be about to use (accounts.limits); it is wiped when the password is used or revoked, and
once expired (accounts_housekeeping). A copy of the database alone still logs no one in: the clear
text needs SECRET_KEY too.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

# No 0/O, 1/l/I: the customer types it from an e-mail, maybe from a phone.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 16


def validity_hours():
    """ONE_TIME_PASSWORD_VALIDITY in whole hours, as the page and the e-mail state it."""
    return int(settings.ONE_TIME_PASSWORD_VALIDITY.total_seconds() // 3600)


def new_nonce():
    return secrets.token_hex(32)


def clear_text(nonce):
    digest = int.from_bytes(salted_hmac("ebok.accounts.otp", nonce, algorithm="sha256").digest(), "big")
    chars = []
    for _ in range(LENGTH):
        digest, index = divmod(digest, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)
