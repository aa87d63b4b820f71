"""Every limit on the way in, with the reason for its number (zulip keeps its rules the same way).

A customer code has only 10,000 values per region, so assume an attacker scripts against all of them.
The limits are stored in the database (or Redis with REDIS_URL), never in a process's memory, so they
hold across gunicorn workers and hosts. Times in seconds.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int  # seconds
    why: str


# "Pobierz hasło do systemu" from one client IP. A household, a housing cooperative's office or a
# company network behind one NAT asks for a handful; 20 an hour is far above that and far below a
# sweep of 10,000 codes. Over the limit: HTTP 429.
PASSWORD_REQUESTS_PER_IP = Rule(20, 3600, "zapytania o hasło z jednego adresu IP")

# Password e-mails per customer in 24 hours. The spec's number: enough for a lost first e-mail and a
# retry, few enough that requesting for someone else cannot flood their mailbox. Over it the page
# answers exactly as always and sends nothing.
PASSWORD_EMAILS_PER_CUSTOMER = Rule(3, 24 * 3600, "e-maile z hasłem do jednego odbiorcy")

# Failed logins from one client IP over all codes: an office logging in for several customers
# mistypes a few; 30 an hour stops guessing across many codes. Over the limit: HTTP 429.
FAILED_LOGINS_PER_IP = Rule(30, 3600, "nieudane logowania z jednego adresu IP")

# Failed logins on one code from one IP. The first FREE_FAILURES are free (typos); after that each
# attempt must wait twice as long as the one before (2, 4, 8, ... seconds, at most MAX_DELAY); after
# limit failures the pair is blocked for the rest of the window. Keyed by code *and* IP, so failures
# from an attacker's address never block the real customer logging in from another.
FAILED_LOGINS_PER_CUSTOMER_IP = Rule(10, 15 * 60, "nieudane logowania na jeden kod z jednego adresu IP")
FREE_FAILURES = 3
MAX_DELAY = 60


def delay_after(failures):
    """Seconds the next attempt has to wait after `failures` failed ones."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY)


# Statement PDFs per customer: each is rendered on request (about 0.1–0.5 s of CPU). A customer
# checks a few periods; 30 an hour keeps one session from holding a core busy.
STATEMENTS_PER_CUSTOMER = Rule(30, 3600, "zestawienia PDF jednego odbiorcy")

# Counters idle for longer than this are of no use to any rule (accounts_housekeeping drops them).
RULES = [
    PASSWORD_REQUESTS_PER_IP,
    PASSWORD_EMAILS_PER_CUSTOMER,
    FAILED_LOGINS_PER_IP,
    FAILED_LOGINS_PER_CUSTOMER_IP,
    STATEMENTS_PER_CUSTOMER,
]
LONGEST_WINDOW = max(rule.window for rule in RULES)

# -- Staff (the admin) ---------------------------------------------------------------------------
# A staff login reads every customer's data and sends one-time passwords: the strongest door, so its
# limits are stricter than customers'. Counted before the password is checked (a success is taken
# back), the same for known and unknown usernames. Over a limit: HTTP 429.

# Failed staff logins from one client IP, over all usernames: an office of a few staff members
# mistypes now and then; 10 an hour stops both guessing and trying one password on many usernames.
STAFF_LOGIN_FAILURES_PER_IP = Rule(10, 3600, "nieudane logowania do panelu z jednego adresu IP")

# Failed logins on one staff username from any IP. Not keyed by IP, unlike customers': a staff
# account is worth an attack from many addresses. Staff passwords have 12+ characters, so 10 an hour
# leaves guessing hopeless. The price: an attacker can keep one member locked out; another admin
# lifts it by deleting the counter in "Limity prób" (key staff-login:<username>), or it ends with the hour.
STAFF_LOGIN_FAILURES_PER_USERNAME = Rule(10, 3600, "nieudane logowania na jedną nazwę pracownika")

# Wrong second-factor codes (TOTP or recovery code) of one staff member in 24 hours. A 6-digit code
# accepted ±30 s matches 3 in 10^6 guesses: at 10 a day a year of guessing, with the password already
# known, succeeds with about 1% odds. A member's own typos are a couple a day. The code that confirms an
# enrolment counts on the same counter.
STAFF_CODE_FAILURES_PER_USER = Rule(10, 24 * 3600, "błędne kody weryfikacyjne jednego pracownika")

RULES += [STAFF_LOGIN_FAILURES_PER_IP, STAFF_LOGIN_FAILURES_PER_USERNAME, STAFF_CODE_FAILURES_PER_USER]
LONGEST_WINDOW = max(rule.window for rule in RULES)
