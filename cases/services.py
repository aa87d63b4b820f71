"""Every change to a case: filing, a message (with files), an answer, a note, a status, an assignment.

Each runs in one transaction with its StatusChange rows and its e-mail notice (queued in the outbox, sent by
the worker), so a case never exists without its number, first message and notice, nor a notice without the
change. Files are written through Django's storage before the rows; if the transaction fails they are removed,
so nothing half-written stays behind.
"""

import contextlib
import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts import emails, limits
from cases.models import Assignment, Attachment, Case, Message, StatusChange
from customers.models import Customer, Region


class CaseError(Exception):
    """A change the case's state does not allow (a message to a case closed too long ago, say)."""


class AlreadyFiled(CaseError):
    """The form was sent again (a double click, a reload): `case` was filed with it a moment ago."""

    def __init__(self, case):
        super().__init__(case.number)
        self.case = case


class BudgetExceeded(CaseError):
    """The files are more than what is left of the customer's budget (another upload used it up after the
    form had checked them)."""

    def __init__(self, *, total, left):
        super().__init__(f"{total} bytes of files, {left} left")
        self.total, self.left = total, left


def case_budget_left(customer, *, now=None):
    """Bytes of attachments `customer` may still add (accounts.limits.CASE_FILES_BUDGET_BYTES over its window)."""
    since = (now or timezone.now()) - datetime.timedelta(days=limits.CASE_FILES_BUDGET_DAYS)
    used = Attachment.objects.filter(
        message__case__customer=customer, message__author=Message.Author.CUSTOMER, created_at__gte=since
    ).aggregate(total=Sum("size"))["total"]
    return limits.CASE_FILES_BUDGET_BYTES - (used or 0)


# A form sent again within this time with the same token leads to the case filed with it, not a new one.
RESUBMIT_WINDOW = datetime.timedelta(minutes=10)


def case_filed_with(customer, form_token, *, now=None):
    """The customer's case filed with the form of `form_token` within RESUBMIT_WINDOW, or None."""
    if form_token is None:
        return None
    since = (now or timezone.now()) - RESUBMIT_WINDOW
    return customer.cases.filter(form_token=form_token, filed_at__gte=since).order_by("pk").first()


def _check_budget(customer, files, now):
    """Checks the files against the budget; the caller holds the lock of the customer's row, inside its
    transaction: the forms check it too, but outside the transaction, so two uploads at once could both pass."""
    if not files:
        return
    total, left = sum(file.size for file in files), case_budget_left(customer, now=now)
    if total > left:
        raise BudgetExceeded(total=total, left=left)


def due_date(kind, filed_on):
    return filed_on + datetime.timedelta(days=settings.EBOK_CASE_DUE_DAYS[kind])


def case_file(*, customer, user, kind, subject, body, files=(), disputed_lines=(), form_token=None, **details):
    """File a new case of `kind` for `customer` (by its login `user`) with its first message and files.
    `form_token`: the form's random token; the same one again within RESUBMIT_WINDOW raises AlreadyFiled.

    `details`: the kind's fields (point, invoice, disputed_amount, requested_power_mw, requested_from,
    contact_phone, contact_email, contact_address); the caller's form has checked that they belong to the
    customer. The customer gets an e-mail with the case's number.
    """
    now = timezone.now()
    with _files_removed_on_failure() as stored, transaction.atomic():
        # One filing at a time per customer: a form sent twice at once finds the first one's case here.
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if filed := case_filed_with(locked, form_token, now=now):
            raise AlreadyFiled(filed)
        _check_budget(locked, files, now)
        # One number at a time per region: the region's row is the lock (SQLite: the write transaction).
        region = Region.objects.select_for_update().get(pk=customer.region_id)
        year = timezone.localdate(now).year
        sequence, number = Case.objects.next_number(region, year)
        case = Case.objects.create(
            region=region,
            year=year,
            sequence=sequence,
            number=number,
            customer=customer,
            kind=kind,
            subject=subject,
            filed_at=now,
            due_on=due_date(kind, timezone.localdate(now)),
            last_customer_message_at=now,
            form_token=form_token,
            **details,
        )
        if disputed_lines:
            case.disputed_lines.set(disputed_lines)
        _add_message(case, user=user, author=Message.Author.CUSTOMER, body=body, files=files, at=now, stored=stored)
        StatusChange.objects.create(case=case, old_status="", new_status=Case.Status.NEW, user=user, at=now)
        emails.case_filed(case=case)
    return case


def case_post_customer_message(*, case, user, body, files=()):
    """The customer's message in its case: an answered case goes back to the office (in progress); a closed
    one is reopened if it was closed less than REOPEN_DAYS ago, else refused with CaseError; files over what is
    left of the customer's budget are refused with BudgetExceeded."""
    now = timezone.now()
    with _files_removed_on_failure() as stored, transaction.atomic():
        if files:  # the customer's row first, as case_file locks it
            _check_budget(Customer.objects.select_for_update().get(pk=case.customer_id), files, now)
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.accepts_customer_message(now):
            raise CaseError("closed")
        message = _add_message(
            case, user=user, author=Message.Author.CUSTOMER, body=body, files=files, at=now, stored=stored
        )
        case.last_customer_message_at = now
        if case.status in (Case.Status.ANSWERED, Case.Status.CLOSED):
            _set_status(case, Case.Status.IN_PROGRESS, user=user, at=now)
        case.save()
    return message


def case_answer(*, case, user, body, files=()):
    """A staff answer: the customer sees it in the portal and gets an e-mail notice with a link (without the
    answer's content); the case becomes answered. A closed case takes none (CaseError): answering would reopen
    it past the customer's REOPEN_DAYS unseen, so staff set it in progress first."""
    now = timezone.now()
    with _files_removed_on_failure() as stored, transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_open:
            raise CaseError("closed")
        message = _add_message(
            case, user=user, author=Message.Author.STAFF, body=body, files=files, at=now, stored=stored
        )
        case.last_answer_at = now
        if case.status != Case.Status.ANSWERED:
            _set_status(case, Case.Status.ANSWERED, user=user, at=now)
        case.save()
        emails.case_answered(case=case)
    return message


def case_note(*, case, user, body, files=()):
    """An internal note of staff: never shown to the customer nor e-mailed; the status stays."""
    with _files_removed_on_failure() as stored, transaction.atomic():
        return _add_message(
            case, user=user, author=Message.Author.STAFF, body=body, files=files, at=timezone.now(),
            stored=stored, internal=True,
        )  # fmt: skip


def case_set_status(*, case, status, user):
    """Staff (or the customer closing its own case) set a status; recorded with who and when."""
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status == status:
            return case
        _set_status(case, status, user=user, at=now)
        case.save()
    return case


def case_close(*, case, user):
    return case_set_status(case=case, status=Case.Status.CLOSED, user=user)


def case_assign(*, case, assignee, user):
    """Staff hand the case to `assignee` (a staff member, or None: nobody); recorded with who and when.
    Assigning the one already assigned changes and records nothing."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.assigned_to_id == (assignee.pk if assignee else None):
            return case
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to"])
        Assignment.objects.create(case=case, assigned_to=assignee, user=user)
    return case


def _set_status(case, status, *, user, at):
    StatusChange.objects.create(case=case, old_status=case.status, new_status=status, user=user, at=at)
    case.status = status
    case.closed_at = at if status == Case.Status.CLOSED else None


def _add_message(case, *, user, author, body, files, at, stored, internal=False):
    message = Message.objects.create(case=case, author=author, user=user, internal=internal, body=body, created_at=at)
    for checked in files:
        attachment = Attachment(
            message=message,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            created_at=at,
        )
        attachment.file.save(checked.name, ContentFile(checked.content), save=False)
        stored.append(attachment.file.name)
        attachment.save()
    return message


@contextlib.contextmanager
def _files_removed_on_failure():
    """Collects the names of files stored during a change; if the change fails, deletes them again."""
    stored = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
