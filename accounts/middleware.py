import time

from django.conf import settings
from django.contrib import auth
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "ebok_login_at"
SEEN_AT = "ebok_seen_at"
# Write the "last seen" time at most this often, not on every request.
SEEN_RESOLUTION = 60


def session_started(request):
    """Call right after login: the absolute timeout counts from here."""
    request.session[LOGIN_AT] = request.session[SEEN_AT] = time.time()


def session_timeout(get_response):
    """End a session 30 minutes after its last request or 12 hours after login (settings)."""

    def middleware(request):
        if request.user.is_authenticated:
            session = request.session
            now = time.time()
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, login_at)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - seen_at > idle or now - login_at > absolute:
                customer = request.user.customer
                auth.logout(request)
                if customer is not None:
                    return redirect(reverse("login", kwargs={"region": customer.region.slug}) + "?sesja=wygasla")
            elif now - seen_at > SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return get_response(request)

    return middleware


def permissions_policy(get_response):
    """Switch off the browser features the portal never uses (settings.PERMISSIONS_POLICY)."""
    value = ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(settings.PERMISSIONS_POLICY.items())
    )

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", value)
        return response

    return middleware
