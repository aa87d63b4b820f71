"""Security events: one log line each (logger "ebok.security") and a count in the metrics.

The views and services of the way in call `security_event` once where each event happens. A line names
the customer by region and code and internal id, staff by internal id and username, the client's address
and the request id; never a password, one-time password, token or session id (fields whose names say
so are dropped, whatever their value) nor a whole e-mail address (fields named *email* are masked as the
e-mails' own templates mask them: z***@example.pl).
"""

import logging
import re

from django.utils.functional import empty

from accounts.throttle import client_ip
from ops import logs, metrics

logger = logging.getLogger("ebok.security")

# Events that are a failed login, by the kind the metric ebok_login_failures_total counts.
LOGIN_FAILURES = {
    "login_failed": "customer",
    "staff_login_failed": "staff_password",
    "staff_second_factor_failed": "staff_code",
}
WARNINGS = {*LOGIN_FAILURES, "throttled"}
SECRET = re.compile(r"password|passwd|token|secret|session|cookie|otp|nonce|csrf", re.IGNORECASE)


def mask_email(address):
    """As accounts.emails masks an address in its messages: the first letter and the domain."""
    local, _at, domain = (address or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def security_event(event, *, request=None, customer=None, user=None, region=None, code=None, **details):
    """Log `event` with who and where; `details` are short plain values (masked or dropped as above).

    With `request`, its client address and view; its customer (customer_required) and logged-in user when
    not given. `region` and `code` name a customer that may not exist (a failed login, a password request).
    """
    fields = {"event": event, "request_id": logs.request_id.get()}
    if request is not None:
        fields["ip"] = client_ip(request)
        if request.resolver_match is not None:
            fields["view"] = request.resolver_match.view_name
        customer = customer or getattr(request, "customer", None)
        user = user or logged_in_user(request)
    if customer is not None:
        fields["customer_id"] = customer.pk
        region = region or (customer.region if customer._meta.get_field("region").is_cached(customer) else None)
        code = code or customer.code
    if region is not None:
        fields["region"] = region.slug
    if code:
        fields["code"] = code
    if user is not None:
        fields["user_id"] = user.pk
        if user.customer_id is None:  # a staff member: the username is the company's, not a customer's
            fields["staff"] = user.get_username()
    for key, value in details.items():
        if SECRET.search(key):
            continue
        fields[key] = mask_email(value) if "email" in key else _plain(value)
    logger.log(logging.WARNING if event in WARNINGS else logging.INFO, event, extra={"ebok": fields})
    metrics.SECURITY_EVENTS.labels(event).inc()
    if event in LOGIN_FAILURES:
        metrics.LOGIN_FAILURES.labels(LOGIN_FAILURES[event]).inc()


def error_code(form):
    """The code of a bound form's first error not tied to a field ("invalid_login", "throttled"), else of
    its first error; None for a valid or unbound form, or one sent empty (no try: nothing was checked).
    Names why a staff login step was refused."""
    if not form.is_bound or not form.errors:
        return None
    errors = form.errors.as_data()
    code = (errors.get("__all__") or next(iter(errors.values())))[0].code or "invalid"
    return None if code == "required" else code


def logged_in_user(request):
    """The request's logged-in user, only if something already asked for it (no extra query here)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or wrapped is None or not wrapped.is_authenticated:
        return None
    return wrapped


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:100]
