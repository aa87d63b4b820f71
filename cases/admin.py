"""Cases in the admin: the customer service office's queue and each case's page.

The queue lists open cases by their legal due date, the ones near (DUE_SOON_DAYS) or past it marked in words
and by a class, never by colour alone. A case's page (templates/admin/cases/case/case.html) shows what the
customer filed read-only, the thread with the staff's internal notes marked as such, the files as downloads
and the histories of status and assignment; its forms post to their own URLs, each one change through
cases.services (recorded with who and when): an answer (cases.answer_case; the customer gets a notice without
its content), a note, an assignment and a status (cases.change_case). Nobody adds or deletes a case here.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, OrderBy, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import limits
from accounts.forms import parse_code
from cases import services
from cases.attachments import check_files, download_response
from cases.forms import MultipleFileField, files_help
from cases.models import Attachment, Case, DigestRun, case_handlers
from customers.admin import BillingDataAdmin

# A due date this many days ahead (or fewer) is "near": the queue and the case page say so.
DUE_SOON_DAYS = 2
# Staff files count against no customer's budget (accounts.limits): a message may carry as much as the
# per-file and per-message limits allow, and no more.
STAFF_BUDGET = limits.CASE_FILES_PER_MESSAGE * limits.CASE_FILE_MAX_BYTES


def due_marker(case, today=None):
    """(CSS class, words) for a case waiting for its first answer whose due date is near or past, else ("", "").
    A case answered once is never marked, however often the customer writes again (Case.awaits_first_answer)."""
    if not case.awaits_first_answer:
        return "", ""
    days = case.days_left(today)
    if days < 0:
        return "case-due-overdue", ngettext("po terminie o %(n)d dzień", "po terminie o %(n)d dni", -days) % {
            "n": -days
        }
    if days == 0:
        return "case-due-soon", _("termin dziś")
    if days <= DUE_SOON_DAYS:
        return "case-due-soon", ngettext("termin za %(n)d dzień", "termin za %(n)d dni", days) % {"n": days}
    return "", ""


def due_html(case, today=None):
    css, words = due_marker(case, today)
    day = date_format(case.due_on, "d.m.Y")
    if not css:
        return day
    return format_html('<span class="case-due {}">{} <strong>({})</strong></span>', css, day, words)


class DueFilter(admin.SimpleListFilter):
    title = gettext_lazy("termin odpowiedzi")
    parameter_name = "termin"

    def lookups(self, request, model_admin):
        return [
            ("po", _("po terminie")),
            ("wkrotce", ngettext("termin w ciągu %(n)d dnia", "termin w ciągu %(n)d dni", DUE_SOON_DAYS)
             % {"n": DUE_SOON_DAYS}),
        ]  # fmt: skip

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "po":
            return queryset.overdue(today)
        if self.value() == "wkrotce":
            soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
            return queryset.awaiting_first_answer().filter(due_on__gte=today, due_on__lte=soon)
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = gettext_lazy("prowadzi")
    parameter_name = "prowadzi"

    def lookups(self, request, model_admin):
        return [("moje", _("moje")), ("nikt", _("nikt")), *((str(u.pk), staff_name(u)) for u in case_handlers())]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "moje":
            return queryset.filter(assigned_to=request.user)
        if value == "nikt":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=value)
        return queryset


def staff_name(user):
    return user.get_full_name() or user.get_username() if user else "—"


class MessageForm(forms.Form):
    """An answer or a note: text and files, the files checked like the customer's (cases.attachments)."""

    body = forms.CharField(label=gettext_lazy("Treść"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=gettext_lazy("Pliki"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help()

    def clean_files(self):
        try:
            return check_files(self.cleaned_data["files"], budget_left=STAFF_BUDGET)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label=gettext_lazy("Prowadzi"), queryset=None, required=False, empty_label=gettext_lazy("— nikt —")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = case_handlers()
        self.fields["assigned_to"].label_from_instance = staff_name


# The status buttons: the answer sets "answered" itself (with its notice), "new" is only the filing's.
STATUS_BUTTONS = [Case.Status.IN_PROGRESS, Case.Status.CLOSED]


def status_buttons():
    return [(Case.Status.IN_PROGRESS, _("Oznacz jako „w toku”")), (Case.Status.CLOSED, _("Zamknij sprawę"))]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "kind",
        "customer_code",
        "status",
        "filed_at",
        "due",
        "assigned",
        "last_customer_message_at",
    ]
    list_filter = ["region", "kind", "status", AssignedFilter, DueFilter]
    list_select_related = ["customer", "assigned_to"]
    search_fields = ["number", "customer__name"]
    # Open cases first, the nearest due date first; closed ones after them.
    ordering = [
        OrderBy(ExpressionWrapper(Q(status=Case.Status.CLOSED), output_field=BooleanField())),
        "due_on",
        "number",
    ]
    list_per_page = 50

    class Media:
        css = {"all": ["css/cases-admin.css"]}

    def get_search_results(self, request, queryset, search_term):
        """A customer's code as printed (001234-0001) or typed (1234) finds its cases, like numbers and names."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        try:
            number, sub_code = parse_code(search_term)
        except ValidationError:
            return results, duplicates
        by_code = queryset.filter(customer__number=number)
        if "-" in search_term:
            by_code = by_code.filter(customer__sub_code=sub_code)
        return results | by_code, duplicates

    @admin.display(description=gettext_lazy("odbiorca"), ordering="customer__number")
    def customer_code(self, obj):
        return obj.customer.code

    @admin.display(description=gettext_lazy("termin odpowiedzi"), ordering="due_on")
    def due(self, obj):
        return due_html(obj)

    @admin.display(description=gettext_lazy("prowadzi"), ordering="assigned_to__username")
    def assigned(self, obj):
        return staff_name(obj.assigned_to)

    def has_add_permission(self, request):
        return False  # the customer files a case, in the portal

    def has_delete_permission(self, request, obj=None):
        return False  # a case and its thread are the record of what was asked and answered

    def get_urls(self):
        def post(route, function, name):  # every change: a POST (the admin's view adds the CSRF check)
            return path(route, self.admin_site.admin_view(require_POST(function)), name=f"cases_case_{name}")

        download = self.admin_site.admin_view(self.attachment_view)
        return [
            post("<int:pk>/odpowiedz/", self.answer_view, "answer"),
            post("<int:pk>/notatka/", self.note_view, "note"),
            post("<int:pk>/przydziel/", self.assign_view, "assign"),
            post("<int:pk>/stan/", self.status_view, "status"),
            path("zalacznik/<uuid:public_id>/", download, name="cases_case_attachment"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The case's page instead of a form of its fields: what the customer filed is not staff's to edit."""
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._page(request, self._get_case(object_id))

    def _get_case(self, pk):
        """The case of an admin URL; anything but a number there (/admin/cases/case/abc/change/) is a 404."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404 from None
        return get_object_or_404(
            Case.objects.select_related("region", "customer", "assigned_to", "point", "invoice"), pk=pk
        )

    def _page(self, request, case, **bound):
        """The case page; `bound`: a form (answer_form, note_form, assign_form) posted with errors, shown again."""
        may_change = self.has_change_permission(request, case)
        may_answer = may_change and request.user.has_perm("cases.answer_case")
        thread = case.messages.select_related("user").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sprawa %(number)s") % {"number": case.number},
            "opts": self.model._meta,
            "original": case,
            "case": case,
            "due": due_html(case),
            "assigned": staff_name(case.assigned_to),
            "thread": thread,
            "disputed_lines": list(case.disputed_lines.all()) if case.kind == Case.Kind.COMPLAINT else [],
            "status_changes": case.status_changes.select_related("user"),
            "assignments": case.assignments.select_related("user", "assigned_to"),
            # A closed case takes no answer (it would reopen it unseen): staff set it "w toku" first.
            "may_answer": may_answer and case.is_open,
            "answer_needs_reopening": may_answer and not case.is_open,
            "may_change": may_change,
            "may_view_customer": request.user.has_perm("customers.view_customer"),
            "may_view_invoice": request.user.has_perm("invoices.view_invoice"),
            "answer_form": bound.get("answer_form") or MessageForm(prefix="answer"),
            "note_form": bound.get("note_form") or MessageForm(prefix="note"),
            "assign_form": bound.get("assign_form") or AssignForm(initial={"assigned_to": case.assigned_to_id}),
            "status_buttons": [(s, label) for s, label in status_buttons() if s != case.status],
        }
        return TemplateResponse(request, "admin/cases/case/case.html", context)

    def _after(self, request, case, message):
        self.log_change(request, case, message)
        self.message_user(request, message, messages.SUCCESS)
        return redirect("admin:cases_case_change", case.pk)

    def _case_to_change(self, request, pk, permission=None):
        case = self._get_case(pk)
        if not self.has_change_permission(request, case) or (permission and not request.user.has_perm(permission)):
            raise PermissionDenied
        return case

    def answer_view(self, request, pk):
        return self._message_view(request, pk, internal=False)

    def note_view(self, request, pk):
        return self._message_view(request, pk, internal=True)

    def _message_view(self, request, pk, *, internal):
        case = self._case_to_change(request, pk, None if internal else "cases.answer_case")
        prefix = "note" if internal else "answer"
        form = MessageForm(request.POST, request.FILES, prefix=prefix)
        if not form.is_valid():
            return self._page(request, case, **{f"{prefix}_form": form})
        body, files = form.cleaned_data["body"], form.cleaned_data["files"]
        if internal:
            services.case_note(case=case, user=request.user, body=body, files=files)
            return self._after(request, case, _("Dodano notatkę wewnętrzną."))
        try:
            services.case_answer(case=case, user=request.user, body=body, files=files)
        except services.CaseError:
            self.message_user(request, _closed_case_takes_no_answer(), messages.ERROR)
            return redirect("admin:cases_case_change", case.pk)
        if case.customer.email:
            return self._after(request, case, _("Wysłano odpowiedź; odbiorca dostanie powiadomienie e-mailem."))
        return self._after(
            request,
            case,
            _("Wysłano odpowiedź. Odbiorca nie ma adresu e-mail: nie dostanie powiadomienia, zobaczy ją w eBOK."),
        )

    def assign_view(self, request, pk):
        case = self._case_to_change(request, pk)
        form = AssignForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, assign_form=form)
        assignee = form.cleaned_data["assigned_to"]
        services.case_assign(case=case, assignee=assignee, user=request.user)
        return self._after(request, case, _("Sprawę prowadzi: %(who)s.") % {"who": staff_name(assignee)})

    def status_view(self, request, pk):
        case = self._case_to_change(request, pk)
        status = request.POST.get("status")
        if status not in STATUS_BUTTONS:
            self.message_user(request, _("Nieznany stan sprawy; nic nie zmieniono."), messages.ERROR)
            return redirect("admin:cases_case_change", case.pk)
        case = services.case_set_status(case=case, status=status, user=request.user)
        return self._after(request, case, _("Stan sprawy: %(status)s.") % {"status": case.get_status_display()})

    def attachment_view(self, request, public_id):
        """A file of any case's thread, for staff who may see cases: always a download (cases.attachments)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return download_response(get_object_or_404(Attachment, public_id=public_id))


def _closed_case_takes_no_answer():
    return _(
        "Sprawa jest zamknięta: odpowiedź nie została wysłana. Aby odpowiedzieć, najpierw oznacz sprawę jako „w toku”."
    )


@admin.register(DigestRun)
class DigestRunAdmin(BillingDataAdmin):
    """When the staff's daily digest ran (`manage.py cases_digest`) and what it listed."""

    list_display = ["day", "at", "new_cases", "overdue_cases", "emails"]
    date_hierarchy = "day"
