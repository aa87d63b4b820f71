"""The database router of DATABASE_REPLICA_URL (ops/db_router.py): which reads it sends to the replica.

Here the router's decisions are recorded while every query still runs on the one test database; that the
decisions reach a real streaming standby is shown by tests/ops/test_replica_standby.py.
"""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from customers import consent
from customers.models import Customer
from invoices.models import Invoice
from ops import db_router
from ops.db_router import PrimaryReplicaRouter
from tests.invoices.conftest import make_invoice

NOW = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)


class RecordingRouter(PrimaryReplicaRouter):
    """The real router's answers, written down; the queries themselves stay on the one test database."""

    reads = []

    def db_for_read(self, model, **hints):
        self.reads.append((model._meta.label, super().db_for_read(model, **hints)))
        return "default"


@pytest.fixture(autouse=True)
def committed(committed_regions, transactional_db):
    """Committed data: a test's own transaction would look to the router like one a view opened (rule 4)."""


@pytest.fixture
def reads(settings):
    settings.DATABASE_ROUTERS = ["tests.ops.test_replica_router.RecordingRouter"]
    settings.REPLICA_PIN_SECONDS = 10
    index = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:index], "ops.db_router.ReplicaReadsMiddleware",
                           *settings.MIDDLEWARE[index:]]  # fmt: skip
    RecordingRouter.reads = []
    return RecordingRouter.reads


def databases_of(reads, label):
    return {alias for model, alias in reads if model == label}


def test_an_invoice_list_reads_the_invoices_from_the_replica(reads, owner_client, owner):
    make_invoice(owner)
    response = owner_client.get(reverse("invoices:list"))
    assert response.status_code == 200
    assert databases_of(reads, "invoices.Invoice") == {"replica"}


def test_sessions_and_users_are_read_on_the_primary_even_on_a_customer_page(reads, owner_client, owner):
    owner_client.get(reverse("invoices:list"))
    assert databases_of(reads, "sessions.Session") == {"default"}
    assert databases_of(reads, "accounts.User") == {"default"}


def test_the_login_page_reads_everything_on_the_primary(reads, client, owner_user):
    response = client.post("/jaworzno/logowanie/", {"odbiorca": "1234", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert {alias for _, alias in reads} == {"default"}


def test_konto_and_its_forms_read_on_the_primary(reads, owner_client):
    owner_client.get(reverse("account"))
    assert reads
    assert {alias for _, alias in reads} == {"default"}


def test_a_write_pins_the_rest_of_the_request_to_the_primary(reads, owner_client, owner, monkeypatch):
    """The first download of a PDF stores it (a write); what the view reads after that is the primary's."""
    invoice = make_invoice(owner)
    reads_before_write = []

    def render(*, invoice):
        reads_before_write.extend(reads)
        Invoice.objects.filter(pk=invoice.pk).update(pdf_transfer_amount=None)  # what a render writes
        Customer.objects.get(pk=owner.pk)  # a read after it
        return b"%PDF-1.7 test"

    monkeypatch.setattr("invoices.services.invoice_render_pdf", render)
    assert owner_client.get(reverse("invoices:pdf", args=[invoice.public_id])).status_code == 200
    assert ("invoices.Invoice", "replica") in reads_before_write
    assert reads[-1] == ("customers.Customer", "default")


def test_a_customer_who_changed_something_reads_from_the_primary_for_a_while(reads, owner_client, owner):
    """Read your own writes: the replica may be a moment behind the consent just given."""
    with time_machine.travel(NOW, tick=False):
        data = {"action": "granted", "text_version": consent.CURRENT_VERSION, "accept": "on"}
        assert owner_client.post("/konto/e-faktura/", data).status_code == 302
        reads.clear()
        owner_client.get(reverse("dashboard"))
        assert databases_of(reads, "invoices.Invoice") == {"default"}
    with time_machine.travel(NOW + datetime.timedelta(seconds=11), tick=False):
        reads.clear()
        owner_client.get(reverse("dashboard"))
        assert databases_of(reads, "invoices.Invoice") == {"replica"}


def test_a_page_that_changed_nothing_leaves_later_pages_on_the_replica(reads, owner_client):
    owner_client.get(reverse("account"))
    reads.clear()
    owner_client.get(reverse("dashboard"))
    assert databases_of(reads, "invoices.Invoice") == {"replica"}


def test_outside_a_request_the_worker_and_commands_read_on_the_primary():
    assert PrimaryReplicaRouter().db_for_read(Invoice) == "default"


def test_a_read_inside_a_transaction_stays_on_the_primary(rf):
    middleware = db_router.ReplicaReadsMiddleware(lambda request: None)
    seen = []

    def view(request):
        seen.append(PrimaryReplicaRouter().db_for_read(Invoice))
        with transaction.atomic():
            seen.append(PrimaryReplicaRouter().db_for_read(Invoice))

    request = rf.get(reverse("invoices:list"))
    request.resolver_match = type("Match", (), {"view_name": "invoices:list"})
    request.session = {}
    middleware.get_response = lambda request: middleware.process_view(request, view, (), {}) or view(request)
    middleware(request)
    assert seen == ["replica", "default"]


def test_every_write_goes_to_the_primary_and_the_replica_is_never_migrated():
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Invoice) == "default"
    assert router.allow_migrate("replica", "invoices") is False
    assert router.allow_migrate("default", "invoices") is True
    assert router.allow_relation(Invoice(), Customer()) is True
