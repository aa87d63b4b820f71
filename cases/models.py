"""Sprawy: a customer's outage report, invoice complaint or request, its thread with staff and its files.

A case belongs to one customer (region, number, sub-customer): every customer page reaches it through
``request.customer`` (cases/views.py), so another customer's case or file is a 404. Its number is readable and
per region and year (JAW/2026/00042); URLs carry only its random ``public_id``. Every status change is a
StatusChange row (who, when); changes go through cases/services.py, never by hand.
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A closed case is reopened by the customer's message within this many days of its closing; later the
# customer files a new case (the thread of an old one stays readable).
REOPEN_DAYS = 30


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Case.Status.CLOSED)

    def awaiting_first_answer(self):
        """Cases the office has never answered and that are not closed: the legal due date binds only these.
        A follow-up or a reopening after an answer puts a case back in progress, never past its due date."""
        return self.filter(status__in=Case.AWAITING_ANSWER, last_answer_at__isnull=True)

    def overdue(self, today=None):
        """Cases still waiting for their first answer after their due date: the office owes the customer one."""
        today = today or timezone.localdate()
        return self.awaiting_first_answer().filter(due_on__lt=today)

    def next_number(self, region, year):
        """(sequence, number) of the next case of `region` in `year`: JAW/2026/00042. The caller holds the
        region's row locked (or is the only writer), so two cases never get one number."""
        last = self.filter(region=region, year=year).aggregate(last=Max("sequence"))["last"] or 0
        return last + 1, f"{region.case_prefix}/{year}/{last + 1:05d}"


def case_handlers():
    """The active staff members who may handle cases (the "Obsługa klienta" group, anyone given
    cases.change_case, and superusers): whom a case can be assigned to and who gets the daily digest."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    may_change = Permission.objects.filter(content_type__app_label="cases", codename="change_case")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, customer__isnull=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=may_change) | Q(user_permissions__in=may_change))
        .distinct()
        .order_by("username")
    )


class Case(models.Model):
    class Kind(models.TextChoices):
        OUTAGE = "awaria", _("Awaria / brak ogrzewania")
        COMPLAINT = "reklamacja", _("Reklamacja faktury")
        POWER = "moc", _("Wniosek o zmianę mocy zamówionej")
        CONTACT = "dane", _("Wniosek o zmianę danych kontaktowych")
        OTHER = "wniosek", _("Inny wniosek")

    class Status(models.TextChoices):
        NEW = "new", _("nowa")
        IN_PROGRESS = "in_progress", _("w toku")
        ANSWERED = "answered", _("udzielono odpowiedzi")
        CLOSED = "closed", _("zamknięta")

    # The statuses in which the office owes the customer an answer.
    AWAITING_ANSWER = [Status.NEW, Status.IN_PROGRESS]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        "customers.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("rok"))
    sequence = models.PositiveIntegerField(_("kolejny numer w roku"))
    number = models.CharField(_("numer sprawy"), max_length=30, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="cases"
    )
    kind = models.CharField(_("rodzaj"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("stan"), max_length=11, choices=Status.choices, default=Status.NEW)
    subject = models.CharField(_("temat"), max_length=200)
    filed_at = models.DateTimeField(_("złożono"), default=timezone.now)
    # The random token of the form it was filed with: the same form sent again (a double click) finds this case
    # instead of filing another (cases.services.case_file).
    form_token = models.UUIDField(_("znacznik formularza"), null=True, blank=True, editable=False)
    due_on = models.DateField(_("termin odpowiedzi"))
    closed_at = models.DateTimeField(_("zamknięto"), null=True, blank=True)
    last_answer_at = models.DateTimeField(_("ostatnia odpowiedź"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(_("ostatnia wiadomość odbiorcy"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prowadzi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
        limit_choices_to={"is_staff": True},
    )
    # What the kind is about: the point of an outage or a power change, the disputed invoice.
    point = models.ForeignKey(
        "customers.MeteringPoint",
        verbose_name=_("punkt poboru"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    invoice = models.ForeignKey(
        "invoices.Invoice",
        verbose_name=_("faktura"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    disputed_amount = models.DecimalField(
        _("kwota reklamowana [zł]"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    disputed_lines = models.ManyToManyField(
        "invoices.InvoiceLine", verbose_name=_("reklamowane pozycje"), blank=True, related_name="complaints"
    )
    requested_power_mw = models.DecimalField(
        _("wnioskowana moc zamówiona [MW]"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    requested_from = models.DateField(_("od dnia"), null=True, blank=True)
    contact_phone = models.CharField(_("nowy telefon"), max_length=30, blank=True)
    contact_email = models.EmailField(_("nowy adres e-mail"), blank=True)
    contact_address = models.CharField(_("nowy adres korespondencyjny"), max_length=250, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("sprawa")
        verbose_name_plural = _("sprawy")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "sequence"], name="case_unique_sequence"),
            models.CheckConstraint(condition=Q(requested_power_mw__gt=0), name="case_power_positive"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="case_closed_has_closed_at"
            ),
        ]
        indexes = [models.Index(fields=["customer", "-filed_at"], name="case_customer_filed")]
        permissions = [("answer_case", _("Może odpowiadać odbiorcom w sprawach"))]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED

    def can_reopen(self, now=None):
        """A closed case takes the customer's message (and opens again) for REOPEN_DAYS after its closing."""
        if self.is_open:
            return False
        return (now or timezone.now()) < self.closed_at + datetime.timedelta(days=REOPEN_DAYS)

    def accepts_customer_message(self, now=None):
        return self.is_open or self.can_reopen(now)

    @property
    def awaits_first_answer(self):
        """Never answered and not closed: the legal due date still binds (CaseQuerySet.awaiting_first_answer)."""
        return self.status in self.AWAITING_ANSWER and self.last_answer_at is None

    def is_overdue(self, today=None):
        return self.awaits_first_answer and self.due_on < (today or timezone.localdate())

    def days_left(self, today=None):
        return (self.due_on - (today or timezone.localdate())).days


class Message(models.Model):
    """One entry of a case's thread: the customer's message, a staff answer, or a staff note (internal: the
    customer never sees it, on a page or in an e-mail)."""

    class Author(models.TextChoices):
        CUSTOMER = "customer", _("odbiorca")
        STAFF = "staff", _("pracownik")

    case = models.ForeignKey(Case, verbose_name=_("sprawa"), on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("autor"), max_length=8, choices=Author.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("konto"), on_delete=models.PROTECT, related_name="case_messages"
    )
    internal = models.BooleanField(_("notatka wewnętrzna"), default=False)
    body = models.TextField(_("treść"), blank=True)
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("wiadomość")
        verbose_name_plural = _("wiadomości")
        constraints = [
            models.CheckConstraint(condition=~Q(internal=True) | Q(author="staff"), name="message_note_by_staff"),
        ]

    def __str__(self):
        return f"{self.case} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(attachment, filename):
    """A random name without the customer's file name or extension: nothing of the upload reaches the disk's
    namespace, and the folder is never served by URL (MEDIA_ROOT is private)."""
    return f"cases/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file the customer or staff added to a message: PDF, JPEG or PNG by its content (cases/attachments.py),
    served only to the owning customer and to staff, always as a download."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(
        Message, verbose_name=_("wiadomość"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("plik"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("nazwa pliku"), max_length=120)
    content_type = models.CharField(_("typ"), max_length=30)
    size = models.PositiveIntegerField(_("rozmiar [B]"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("załącznik")
        verbose_name_plural = _("załączniki")

    def __str__(self):
        return self.name


class StatusChange(models.Model):
    """Every change of a case's status, with who made it and when (the filing is the first: '' → new)."""

    case = models.ForeignKey(Case, verbose_name=_("sprawa"), on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("poprzedni stan"), max_length=11, choices=Case.Status.choices, blank=True)
    new_status = models.CharField(_("nowy stan"), max_length=11, choices=Case.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kto"),
        on_delete=models.PROTECT,
        related_name="case_status_changes",
    )
    at = models.DateTimeField(_("kiedy"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("zmiana stanu sprawy")
        verbose_name_plural = _("zmiany stanu spraw")

    def __str__(self):
        return f"{self.case}: {self.old_status or '—'} → {self.new_status}"


class Assignment(models.Model):
    """Every (re)assignment of a case to a staff member, or its release (`assigned_to` empty), with who made it
    and when. Kept apart from StatusChange: who handles a case is not its state, and a status history with
    rows that change no status would read wrongly to the customer's side of the story."""

    case = models.ForeignKey(Case, verbose_name=_("sprawa"), on_delete=models.CASCADE, related_name="assignments")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prowadzi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("kto"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("kiedy"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("przydzielenie sprawy")
        verbose_name_plural = _("przydzielenia spraw")

    def __str__(self):
        return f"{self.case}: {self.assigned_to or '—'}"


class DigestRun(models.Model):
    """One run of the staff's daily digest (`manage.py cases_digest`), at most one a day (local date): a second
    run the same day finds it and sends nothing. The next digest lists cases filed since this one's `at`."""

    day = models.DateField(_("dzień"), unique=True)
    at = models.DateTimeField(_("kiedy"), default=timezone.now)
    new_cases = models.PositiveIntegerField(_("nowe sprawy"))
    overdue_cases = models.PositiveIntegerField(_("sprawy po terminie"))
    emails = models.PositiveIntegerField(_("wysłane zestawienia"))

    class Meta:
        ordering = ["-day"]
        verbose_name = _("zestawienie dla pracowników")
        verbose_name_plural = _("zestawienia dla pracowników")

    def __str__(self):
        return f"{self.day:%Y-%m-%d}"
