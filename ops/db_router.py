"""Past one database server: the customer pages' reads from a PostgreSQL streaming replica.

Installed only when ``DATABASE_REPLICA_URL`` is set (ebok/settings.py adds the ``replica`` database, the
router and the middleware); without it there is one database and nothing here runs.

A read goes to the replica only when all of these hold, and to the primary otherwise:

1. it is made while a customer page of ``REPLICA_PAGES`` runs its view for a GET or HEAD request: pages
   that only show invoices, payments and consumption. Login, the password request, Konto, the admin and
   every POST stay on the primary, and so does everything outside a request (``db_worker``, commands);
2. the request has not written yet: its first write pins the rest of it to the primary, and a write of
   customer data pins the session's next ``REPLICA_PIN_SECONDS`` too, so a customer who just changed
   something reads it back even while the replica is a moment behind;
3. the model is customer data (``REPLICA_APPS``). Sessions, users, throttle counters, one-time passwords and
   the task queue are always read on the primary: a login or a limit must see the newest count, and a
   session made a moment ago may not have reached the replica yet;
4. no transaction is open on the primary (a read inside one belongs to it).

Writes always go to the primary. The replica is never migrated: it is a copy of the primary.
"""

import contextvars
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

# Read-only customer pages (URL names) whose reads may come from the replica.
REPLICA_PAGES = frozenset(
    {
        "dashboard",
        "filled_form_pdf",
        "invoices:list",
        "invoices:detail",
        "invoices:pdf",
        "invoices:xml",
        "invoices:settlements",
        "invoices:statement",
        "consumption:index",
        "consumption:export_csv",
        "consumption:export_xlsx",
    }
)
# Apps whose tables those pages read: the customer's data, imported from billing.
REPLICA_APPS = frozenset({"customers", "invoices", "consumption"})
# Session key: until this time (a Unix timestamp) the session's reads stay on the primary.
PINNED_UNTIL = "ebok_primary_until"


class _Request:
    """What the router knows of the request being served in this thread or task."""

    def __init__(self):
        self.replica = False  # may this request's reads go to the replica (points 1 and 2)?
        self.wrote = False
        self.wrote_customer_data = False


_current = contextvars.ContextVar("ebok_db_request", default=None)


def reads_from_replica():
    """Whether a read of customer data made now would go to the replica (for tests and diagnostics)."""
    request = _current.get()
    return request is not None and request.replica and not connections[DEFAULT_DB_ALIAS].in_atomic_block


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in REPLICA_APPS and reads_from_replica():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        request = _current.get()
        if request is not None:
            request.replica, request.wrote = False, True  # the rest of this request reads what it wrote
            if model._meta.app_label in REPLICA_APPS:
                request.wrote_customer_data = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # both databases hold the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Marks each request for the router: on the primary until a customer page's view runs (points 1–2 above).

    Placed after SessionMiddleware, so the pin it writes into the session is saved with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _Request()
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if state.wrote_customer_data and getattr(request, "user", None) and request.user.is_authenticated:
            request.session[PINNED_UNTIL] = time.time() + settings.REPLICA_PIN_SECONDS
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _current.get()
        state.replica = (
            request.method in ("GET", "HEAD")
            and request.resolver_match.view_name in REPLICA_PAGES
            and not state.wrote
            and request.session.get(PINNED_UNTIL, 0) < time.time()
        )
