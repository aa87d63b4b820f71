"""Every limit on the way in, with the reason for its number (zulip keeps its rules the same way).

A customer code has only 10,000 values per region, so assume an attacker scripts against all of them.
The limits are stored in the database (or Redis with REDIS_URL), never in a process's memory, so they
hold across gunicorn workers and hosts. Times in seconds.
"""

import dataclasses
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int  # seconds
    why: str  # what the rule counts, in words
    refusal: str = _("Zbyt wiele prób.")  # what a refused request is told, before the wait (throttle.Limit)


# Every view asks "over the limit?" with one call, accounts.throttle.over_limit(rule, key) (or a
# throttle.Limit), and answers a refusal with HTTP 429, a Retry-After header and the exact wait.
# A refused request is never counted: obeying the wait always works, and refusals do not use up the
# budget of an office behind one address.

# "Pobierz hasło do systemu" from one client IP. A household, a housing cooperative's office or a
# company network behind one NAT asks for a handful; 20 an hour is far above that and far below a
# sweep of 10,000 codes. Over the limit: HTTP 429.
PASSWORD_REQUESTS_PER_IP = Rule(
    20, 3600, _("zapytania o hasło z jednego adresu IP"), _("Zbyt wiele próśb o hasło z Twojej sieci.")
)

# Password e-mails. Anyone may ask for any code and every mail goes to the owner's mailbox, so two
# things must hold at once: the mailbox cannot be flooded, and no stranger can use the limit to stop
# the owner's own request from sending a mail. The first rule here was a cap per code (3 in 24
# hours); it failed the second: three requests from anyone, and the owner's own request silently
# sent nothing for a day. Any cap on the code's total has that flaw against an attacker with enough
# addresses, so the total is bounded by a rate instead:
#
# 1. PASSWORD_EMAILS_PER_REQUESTER: 3 mails in 24 hours per code *and requesting network* (the
#    spec's number: a lost first mail and a retry). A stranger uses up only the stranger's own
#    three; the owner's network keeps its own. Over it a request sends nothing.
# 2. A cool-down per code, whoever asks: after a mail, no other before password_email_cool_down()
#    is over. A request that falls into it is not dropped but deferred to its end (accounts.tasks),
#    and a request answered meanwhile by a later mail sends nothing more. So the owner's request is
#    followed by a fresh password within one cool-down however many addresses ask, and the mailbox
#    gets at most one mail per cool-down: 5 minutes (a quick retry after a lost mail), doubling with
#    each mail beyond the third in 24 hours, up to an hour. At most about 30 mails a day to a code
#    even from unlimited addresses, and the owner waits at most an hour (see 3 for the exception).
# 3. A mail never voids the password of an earlier one. If every mail brought a new password and
#    revoked the last, a stranger asking after the owner would kill the owner's password one
#    cool-down later, and an owner opening the mail late would always find it dead. So while the
#    code's one-time password works, a request from the page e-mails that same password again
#    (its nonce is kept until it is used, revoked or expired: accounts.otp). Its expiry stays 24
#    hours from the first request: stretching it on every mail would let anyone who once saw a
#    password (say, in a mailbox they no longer read) keep it alive for good by asking daily, and
#    the privacy and terms pages promise 24 hours. A password in its last hour
#    (PASSWORD_REMAIL_MIN_LEFT) is not mailed again, as its e-mail would be dead on arrival: the
#    request waits for it to expire and gets a new one, so the owner's wait can reach the cool-down
#    plus that hour. A new password is made only when none works; only staff sending one, a change
#    of e-mail and the customer setting a password revoke a working one (accounts.services).
#
# The page answers the same whatever happens (the worker applies the rules, accounts.services).
# Staff sending a password from the admin (the customer on the phone or at the desk) are not limited.
PASSWORD_EMAILS_PER_REQUESTER = Rule(3, 24 * 3600, _("e-maile z hasłem do jednego odbiorcy na prośbę z jednej sieci"))
PASSWORD_EMAIL_COOL_DOWN = 5 * 60
PASSWORD_EMAIL_MAX_COOL_DOWN = 3600
PASSWORD_REMAIL_MIN_LEFT = 3600


def password_email_cool_down(mails):
    """Seconds from the last password e-mail to a code until the next, when `mails` went in 24 hours."""
    return min(PASSWORD_EMAIL_COOL_DOWN * 2 ** max(0, mails - 3), PASSWORD_EMAIL_MAX_COOL_DOWN)


# Failed logins from one client IP over all codes: an office logging in for several customers
# mistypes a few; 30 an hour stops guessing across many codes. Over the limit: HTTP 429.
FAILED_LOGINS_PER_IP = Rule(
    30, 3600, _("nieudane logowania z jednego adresu IP"), _("Zbyt wiele nieudanych logowań z Twojej sieci.")
)

# Failed logins on one code from one IP. The first FREE_FAILURES are free (typos); after that each
# attempt must wait twice as long as the one before (2, 4, 8, ... seconds, at most MAX_DELAY); after
# limit failures the pair is blocked for the rest of the window. Keyed by code *and* IP, so failures
# from an attacker's address never block the real customer logging in from another. A try before
# its wait is over is refused without counting, so it neither lengthens the wait nor nears the block.
FAILED_LOGINS_PER_CUSTOMER_IP = Rule(
    10,
    15 * 60,
    _("nieudane logowania na jeden kod z jednego adresu IP"),
    _("Logowanie na ten kod z Twojej sieci jest zablokowane."),
)
FREE_FAILURES = 3
MAX_DELAY = 60


def delay_after(failures):
    """Seconds the next attempt has to wait after `failures` failed ones."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES + 1), MAX_DELAY)


# Statement PDFs per customer: each is rendered on request (about 0.1–0.5 s of CPU). A customer
# checks a few periods; 30 an hour keeps one session from holding a core busy.
STATEMENTS_PER_CUSTOMER = Rule(30, 3600, _("zestawienia PDF jednego odbiorcy"), _("Zbyt wiele zestawień PDF."))

# -- Cases (Sprawy) -------------------------------------------------------------------------------
# New cases per customer a day. An outage, a complaint and a request or two is a busy day for a
# housing cooperative with several buildings; 10 leaves room for that and keeps a script (or a stolen
# session) from burying the office's queue, where every case is read by a person within its deadline.
CASES_PER_CUSTOMER = Rule(
    10,
    24 * 3600,
    _("nowe sprawy jednego odbiorcy"),
    _("W ciągu doby złożono już tyle spraw, ile można złożyć jednego dnia."),
)

# Messages in cases per customer a day (the filing's first message is counted with the case above).
# A conversation with the office is a few messages a day; 50 never stops one and stops a flood.
CASE_MESSAGES_PER_CUSTOMER = Rule(
    50, 24 * 3600, _("wiadomości w sprawach jednego odbiorcy"), _("Zbyt wiele wiadomości w sprawach.")
)

# Attachments. A scan of a signed letter or an invoice is under 1 MB, a phone photo of a meter 2–5 MB;
# 10 MB each and 5 a message is what the issue sets and fits any document a case needs.
CASE_FILE_MAX_BYTES = 10 * 1024 * 1024
CASE_FILES_PER_MESSAGE = 5
# Storage budget per customer: files added in the last 30 days, at most 100 MB (ten messages full of
# photos). Files are kept for years with the case, so without a budget one account could fill the
# disk that also holds every invoice PDF; the window lets a customer who needed much one month send
# again the next. Over it: a clear message, nothing stored.
CASE_FILES_BUDGET_BYTES = 100 * 1024 * 1024
CASE_FILES_BUDGET_DAYS = 30

# IPv6: a client is its /64 network (throttle.ip_key: one line gets a whole /64), but a line is often
# given a /48, which holds 65,536 /64s, each with a budget of its own under a per-IP rule. So each rule
# "per client IP" (PASSWORD_REQUESTS_PER_IP, FAILED_LOGINS_PER_IP, STAFF_LOGIN_FAILURES_PER_IP) also
# counts per /48, IPV6_48_FACTOR times higher (throttle.IpLimit): a /48 shared by an office's or a
# provider's several networks has room for five busy ones, and an attacker holding a /48 gets five
# budgets instead of 65,536.
IPV6_48_FACTOR = 5


def per_ipv6_48(rule):
    """The count of `rule` over a whole IPv6 /48 network."""
    return dataclasses.replace(rule, limit=rule.limit * IPV6_48_FACTOR)


# -- Staff (the admin) ---------------------------------------------------------------------------
# A staff login reads every customer's data and sends one-time passwords: the strongest door, so its
# limits are stricter than customers'. Counted before the password is checked (a success is taken
# back), the same for known and unknown usernames. Over a limit: HTTP 429.

# Failed staff logins from one client IP, over all usernames: an office of a few staff members
# mistypes now and then; 10 an hour stops both guessing and trying one password on many usernames.
STAFF_LOGIN_FAILURES_PER_IP = Rule(
    10,
    3600,
    _("nieudane logowania do panelu z jednego adresu IP"),
    _("Zbyt wiele nieudanych logowań do panelu z tej sieci."),
)

# Failed logins on one staff username from any IP. Not keyed by IP, unlike customers': a staff
# account is worth an attack from many addresses. Staff passwords have 12+ characters, so 10 an hour
# leaves guessing hopeless. The price: an attacker can keep one member locked out; another admin
# lifts it by deleting the counter in "Limity prób" (key staff-login:<username>), or it ends with the hour.
STAFF_LOGIN_FAILURES_PER_USERNAME = Rule(
    10,
    3600,
    _("nieudane logowania na jedną nazwę pracownika"),
    _("Logowanie na tę nazwę użytkownika jest zablokowane. Blokadę może wcześniej zdjąć administrator."),
)

# Wrong second-factor codes (TOTP or recovery code) of one staff member in 24 hours. A 6-digit code
# accepted ±30 s matches 3 in 10^6 guesses: at 10 a day a year of guessing, with the password already
# known, succeeds with about 1% odds. A member's own typos are a couple a day. The code that confirms an
# enrolment counts on the same counter.
STAFF_CODE_FAILURES_PER_USER = Rule(
    10,
    24 * 3600,
    _("błędne kody weryfikacyjne jednego pracownika"),
    _("Zbyt wiele błędnych kodów: weryfikacja tego konta jest zablokowana."),
)

# Counters idle for longer than this are of no use to any rule (accounts_housekeeping drops them).
RULES = [
    PASSWORD_REQUESTS_PER_IP,
    PASSWORD_EMAILS_PER_REQUESTER,
    FAILED_LOGINS_PER_IP,
    FAILED_LOGINS_PER_CUSTOMER_IP,
    STATEMENTS_PER_CUSTOMER,
    CASES_PER_CUSTOMER,
    CASE_MESSAGES_PER_CUSTOMER,
    STAFF_LOGIN_FAILURES_PER_IP,
    STAFF_LOGIN_FAILURES_PER_USERNAME,
    STAFF_CODE_FAILURES_PER_USER,
]
LONGEST_WINDOW = max(rule.window for rule in RULES)

# A staff member without an authenticator app is shown the secret to enrol one only within a permit:
# granted when an administrator makes the account (the admin, createsuperuser) or runs
# `manage.py reset_staff_otp <username>`, used up by the enrolment. Without it a password alone would
# be the whole door for such an account: whoever typed it first would enrol their own app. 72 hours
# covers a weekend between making the account and the member's first login; later, an administrator
# grants a new one.
STAFF_ENROLMENT_PERMIT = 72 * 3600
