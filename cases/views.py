"""Sprawy, the customer's side: the list of own cases, filing one of each kind, the case's page with its
thread, a message with files, closing, and the download of an attachment.

Every case and file is reached through ``request.customer`` (another customer's is a 404, like a missing
one); every change is a POST with CSRF; filing and messages are limited per customer (accounts.limits),
counted only once the form is valid, so a form sent back with errors uses up nothing.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import limits
from accounts.decorators import customer_required
from accounts.throttle import Limit
from cases import forms, services
from cases.attachments import download_response, over_budget_message
from cases.models import REOPEN_DAYS, Attachment, Case, Message
from invoices.models import Invoice

PER_PAGE = 20
# The kinds a customer files, in the order of the choice page, with the URL name of each one's form.
KIND_URLS = {
    Case.Kind.OUTAGE: "cases:new_outage",
    Case.Kind.COMPLAINT: "cases:new_complaint",
    Case.Kind.POWER: "cases:new_power",
    Case.Kind.CONTACT: "cases:new_contact",
    Case.Kind.OTHER: "cases:new_other",
}


def _get_case_for_customer(request, public_id):
    """The logged-in customer's case (with what its page shows of the point and the invoice); anyone else's
    (another sub-customer's, the same code's in the other region) is a 404, exactly like a missing one."""
    cases = Case.objects.filter(customer=request.customer).select_related("point", "invoice")
    return get_object_or_404(cases, public_id=public_id)


def _get_invoice_for_customer(request, public_id):
    """The invoice a complaint is about, from ?faktura=: the customer's own, or a 404 (also a malformed id)."""
    try:
        public_id = uuid.UUID(public_id)
    except ValueError as error:
        raise Http404 from error
    return get_object_or_404(Invoice.objects.filter(customer=request.customer), public_id=public_id)


def _cases_limit(request):
    return Limit(limits.CASES_PER_CUSTOMER, f"cases:{request.customer.pk}")


def _messages_limit(request):
    return Limit(limits.CASE_MESSAGES_PER_CUSTOMER, f"case-messages:{request.customer.pk}")


def _refused(request, refusal, rule):
    context = {"rule": rule, "emergency_phone": settings.EBOK_EMERGENCY_PHONE}
    return refusal.respond(request, "cases/limit.html", context)


@require_GET
@customer_required
def case_list(request):
    """Sprawy: open cases first, each group newest first."""
    cases = Case.objects.filter(customer=request.customer).order_by(
        models.Case(models.When(status=Case.Status.CLOSED, then=1), default=0), "-filed_at", "-pk"
    )
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("strona"))
    return render(request, "cases/list.html", {"page": page})


@require_GET
@customer_required
def case_new(request):
    """The choice of kind: a fieldset of radio buttons that leads to the kind's form (no JavaScript)."""
    chosen = request.GET.get("rodzaj")
    if chosen in KIND_URLS:
        return redirect(KIND_URLS[chosen])
    kinds = [(kind.value, kind.label, settings.EBOK_CASE_DUE_DAYS[kind]) for kind in KIND_URLS]
    context = {"kinds": kinds, "error": chosen is not None, "emergency_phone": settings.EBOK_EMERGENCY_PHONE}
    return render(request, "cases/new.html", context, status=400 if chosen is not None else 200)


def _file(request, form_class, template, **form_kwargs):
    """A kind's form: shown, or checked, and the case filed under the customer's daily limit."""
    limit = _cases_limit(request)
    if refusal := limit.refusal():
        return _refused(request, refusal, limits.CASES_PER_CUSTOMER)
    form_token = _form_token(request)
    if request.method == "POST":
        if filed := services.case_filed_with(request.customer, form_token):  # sent again: already filed
            return _filed(request, filed)
        form = form_class(request.POST, request.FILES, customer=request.customer, **form_kwargs)
        if form.is_valid():
            if refusal := limit.hit():
                return _refused(request, refusal, limits.CASES_PER_CUSTOMER)
            try:
                case = services.case_file(
                    customer=request.customer,
                    user=request.user,
                    kind=form.kind,
                    subject=form.office_subject(),
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                    disputed_lines=form.chosen_lines(),
                    form_token=form_token,
                    **form.details(),
                )
            except services.AlreadyFiled as error:  # the same form sent twice at once: the other one filed it
                limit.refund()
                return _filed(request, error.case)
            except services.BudgetExceeded as error:  # another upload used the budget after the form's check
                limit.refund()
                form.add_error("attachments", over_budget_message(error.total, error.left))
            except BaseException:
                limit.refund()
                raise
            else:
                return _filed(request, case)
    else:
        form = form_class(customer=request.customer, **form_kwargs)
    today = timezone.localdate()
    context = {
        "form": form,
        "kind": form_class.kind,
        "due_on": services.due_date(form_class.kind, today),
        "due_days": settings.EBOK_CASE_DUE_DAYS[form_class.kind],
        "emergency_phone": settings.EBOK_EMERGENCY_PHONE,
        "form_token": form_token or uuid.uuid4(),
        **form_kwargs,
    }
    return render(request, template, context)


def _form_token(request):
    """The random token a new-case form carries (hidden), so that the form sent twice files one case."""
    try:
        return uuid.UUID(request.POST.get("form_token", ""))
    except ValueError:
        return None


def _filed(request, case):
    if request.customer.email:
        filed = _("Przyjęto sprawę %(number)s. Potwierdzenie z numerem wysłano e-mailem.")
    else:  # staff cleared the address: the receipt has nowhere to go (accounts.emails)
        filed = _("Przyjęto sprawę %(number)s.")
    messages.success(request, filed % {"number": case.number})
    return redirect("cases:detail", case.public_id)


@require_http_methods(["GET", "POST"])
@customer_required
def new_outage(request):
    return _file(request, forms.OutageForm, "cases/new_outage.html")


@require_http_methods(["GET", "POST"])
@customer_required
def new_complaint(request):
    """A complaint about an invoice: from the invoice's page (?faktura=<public_id>), else the invoice is
    picked first from the customer's own invoices."""
    public_id = request.GET.get("faktura")
    if not public_id:
        invoices = Invoice.objects.filter(customer=request.customer).order_by("-issue_date", "-pk")
        invoices = invoices.only("public_id", "number", "issue_date", "gross")
        context = {"invoices": invoices, "emergency_phone": settings.EBOK_EMERGENCY_PHONE}
        return render(request, "cases/new_complaint_pick.html", context)
    invoice = _get_invoice_for_customer(request, public_id)
    return _file(request, forms.ComplaintForm, "cases/new_complaint.html", invoice=invoice)


@require_http_methods(["GET", "POST"])
@customer_required
def new_power(request):
    return _file(request, forms.PowerForm, "cases/new_power.html")


@require_http_methods(["GET", "POST"])
@customer_required
def new_contact(request):
    return _file(request, forms.ContactForm, "cases/new_contact.html")


@require_http_methods(["GET", "POST"])
@customer_required
def new_other(request):
    return _file(request, forms.OtherForm, "cases/new_other.html")


def _detail_page(request, case, message_form, status=200):
    thread = case.messages.filter(internal=False).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.only("public_id", "message_id", "name", "size"))
    )
    context = {
        "case": case,
        "thread": thread,
        "history": case.status_changes.all(),
        "disputed_lines": case.disputed_lines.all() if case.kind == Case.Kind.COMPLAINT else (),
        "message_form": message_form,
        "accepts_message": case.accepts_customer_message(),
        "reopen_days": REOPEN_DAYS,
        "staff": Message.Author.STAFF,
    }
    return render(request, "cases/detail.html", context, status=status)


@require_GET
@customer_required
def case_detail(request, public_id):
    case = _get_case_for_customer(request, public_id)
    return _detail_page(request, case, forms.MessageForm(customer=request.customer))


@customer_required  # first: a visitor is sent to the way in, a customer's GET is a 405
@require_POST
def case_message(request, public_id):
    """The customer's message with files: an answered case goes back to the office, a case closed less than
    REOPEN_DAYS ago opens again; later a new case is needed."""
    case = _get_case_for_customer(request, public_id)
    limit = _messages_limit(request)
    if refusal := limit.refusal():
        return _refused(request, refusal, limits.CASE_MESSAGES_PER_CUSTOMER)
    form = forms.MessageForm(request.POST, request.FILES, customer=request.customer)
    if not case.accepts_customer_message():
        form.add_error(None, _too_late())
        return _detail_page(request, case, form, status=400)
    if not form.is_valid():
        return _detail_page(request, case, form, status=400)
    if refusal := limit.hit():
        return _refused(request, refusal, limits.CASE_MESSAGES_PER_CUSTOMER)
    reopened = not case.is_open
    try:
        services.case_post_customer_message(
            case=case, user=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["attachments"]
        )
    except services.BudgetExceeded as error:  # another upload used the budget after the form's check
        limit.refund()
        form.add_error("attachments", over_budget_message(error.total, error.left))
        return _detail_page(request, case, form, status=400)
    except services.CaseError:
        limit.refund()
        form.add_error(None, _too_late())
        return _detail_page(request, case, form, status=400)
    except BaseException:
        limit.refund()
        raise
    if reopened:
        messages.success(request, _("Wiadomość wysłano. Sprawa została wznowiona."))
    else:
        messages.success(request, _("Wiadomość wysłano."))
    return redirect("cases:detail", case.public_id)


def _too_late():
    return _("Ta sprawa jest zamknięta od ponad %(days)d dni: nie można jej już wznowić. Złóż nową sprawę.") % {
        "days": REOPEN_DAYS
    }


@customer_required  # first: a visitor is sent to the way in, a customer's GET is a 405
@require_POST
def case_close(request, public_id):
    case = _get_case_for_customer(request, public_id)
    if case.is_open:
        services.case_close(case=case, user=request.user)
        messages.success(
            request,
            _("Sprawę zamknięto. Przez %(days)d dni można ją wznowić, wysyłając w niej wiadomość.")
            % {"days": REOPEN_DAYS},
        )
    return redirect("cases:detail", case.public_id)


@require_GET
@customer_required
def attachment_download(request, public_id, attachment_id):
    """A file of the case's thread, always as a download: never one of an internal note (a 404, like a file
    of another customer's case)."""
    case = _get_case_for_customer(request, public_id)
    attachment = get_object_or_404(
        Attachment.objects.filter(message__case=case, message__internal=False), public_id=attachment_id
    )
    return download_response(attachment)
