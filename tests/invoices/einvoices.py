"""Helpers of the e-invoice tests: a consent record as of a day, and the worker's mail tasks run here."""

import datetime

from customers.models import EinvoiceConsent


def consent(customer, day, *, email=None, action=EinvoiceConsent.Action.GRANTED, staff):
    """A paper record of `customer`'s consent (or withdrawal) taking effect on `day`, naming `email`
    (default: the enrolled address)."""
    return EinvoiceConsent.objects.create(
        customer=customer,
        action=action,
        channel=EinvoiceConsent.Channel.PAPER,
        email=customer.email if email is None else email,
        text_version="1",
        effective_from=day,
        staff=staff,
        signed_on=day - datetime.timedelta(days=1),
    )


def run_mail_tasks():
    """Run every queued e-invoice task as the worker would (each once), return their results."""
    from django_tasks_db.models import DBTaskResult

    from invoices import einvoice

    results = []
    for row in DBTaskResult.objects.filter(task_path__startswith="invoices.einvoice.").order_by("enqueued_at"):
        function = {"send_batch": einvoice.send_batch, "send_one": einvoice.send_one}[row.task_path.rpartition(".")[2]]
        row.delete()
        results.append(function.call(*row.args_kwargs["args"]))
    return results


def mail_task_ids():
    """The delivery ids the queued e-invoice tasks name."""
    from django_tasks_db.models import DBTaskResult

    ids = []
    for row in DBTaskResult.objects.filter(task_path__startswith="invoices.einvoice."):
        argument = row.args_kwargs["args"][0]
        ids.extend(argument if isinstance(argument, list) else [argument])
    return sorted(ids)
