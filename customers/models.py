from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.validators import (
    customer_number_validator,
    format_nip,
    postal_code_validator,
    sub_code_validator,
    validate_nip,
)


class Region(models.Model):
    """A billing region: its own customer numbering, login page and seller data on documents."""

    slug = models.SlugField(_("identyfikator w adresie"), max_length=50, unique=True)
    name = models.CharField(_("nazwa"), max_length=100)
    towns = models.CharField(_("miejscowości"), max_length=200, help_text=_("Oddzielone przecinkami."))
    position = models.PositiveSmallIntegerField(_("kolejność na stronie głównej"), default=0)
    seller_name = models.CharField(_("sprzedawca: nazwa"), max_length=200)
    seller_nip = models.CharField(_("sprzedawca: NIP"), max_length=10, validators=[validate_nip])
    seller_street = models.CharField(_("sprzedawca: ulica i numer"), max_length=200)
    seller_postal_code = models.CharField(
        _("sprzedawca: kod pocztowy"), max_length=6, validators=[postal_code_validator]
    )
    seller_city = models.CharField(_("sprzedawca: miejscowość"), max_length=100)
    seller_phone = models.CharField(_("sprzedawca: telefon"), max_length=30)
    case_prefix = models.CharField(
        _("skrót w numerach spraw"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,5}$", _("Od 2 do 5 wielkich liter bez polskich znaków, np. JAW."))],
        help_text=_("Początek numeru każdej sprawy odbiorcy regionu: JAW/2026/00042."),
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regiony")

    def __str__(self):
        return self.name

    @property
    def seller_nip_display(self):
        return format_nip(self.seller_nip)


class CustomerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def enrolled(self):
        """Customers whose written request put an e-mail address on file."""
        return self.exclude(email="")


class Customer(models.Model):
    """One billing account: (region, 6-digit number, 4-digit sub-customer code).

    Name and address come from the billing export; the e-mail address and the e-invoice consent
    are eBOK's own (the export carries neither) and an import never touches them.
    """

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="customers")
    number = models.CharField(_("numer odbiorcy"), max_length=6, validators=[customer_number_validator])
    sub_code = models.CharField(_("pododbiorca"), max_length=4, default="0000", validators=[sub_code_validator])
    name = models.CharField(_("nazwa"), max_length=250)
    nip = models.CharField(_("NIP"), max_length=10, blank=True, validators=[validate_nip])
    street = models.CharField(_("ulica i numer"), max_length=200, blank=True)
    postal_code = models.CharField(_("kod pocztowy"), max_length=6, blank=True, validators=[postal_code_validator])
    city = models.CharField(_("miejscowość"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    active = models.BooleanField(
        _("aktywny"), default=True, help_text=_("Nieaktywny odbiorca nie może się zalogować; jego historia zostaje.")
    )
    email = models.EmailField(_("e-mail do eBOK"), blank=True)
    email_requested_on = models.DateField(
        _("data pisemnego wniosku o e-mail"),
        null=True,
        blank=True,
        help_text=_("Data złożenia podpisanego wniosku, na podstawie którego wpisano adres e-mail."),
    )
    einvoice_consent = models.BooleanField(_("zgoda na e-fakturę"), default=False)
    einvoice_consent_changed_at = models.DateTimeField(_("zmiana zgody na e-fakturę"), null=True, blank=True)
    created_at = models.DateTimeField(_("utworzono"), auto_now_add=True)
    updated_at = models.DateTimeField(_("zmieniono"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["region", "number", "sub_code"]
        verbose_name = _("odbiorca")
        verbose_name_plural = _("odbiorcy")
        constraints = [
            models.UniqueConstraint(fields=["region", "number", "sub_code"], name="customer_unique_code"),
            # An address on file needs the date of the written request that named it.
            models.CheckConstraint(
                condition=Q(email="") | Q(email_requested_on__isnull=False),
                name="customer_email_has_request_date",
                violation_error_message=_("Adres e-mail wpisuje się z datą pisemnego wniosku odbiorcy."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def code(self):
        """The customer number as printed on invoices: 001234-0000."""
        return f"{self.number}-{self.sub_code}"

    @property
    def portal_code(self):
        """What the customer types into Odbiorca: the number without its two leading zeros."""
        return self.number[2:]

    @property
    def nip_display(self):
        return format_nip(self.nip)

    @property
    def address(self):
        return ", ".join(part for part in (self.street, f"{self.postal_code} {self.city}".strip()) if part)

    def einvoice_consent_on(self, day):
        """The consent record in effect on `day` (a date), or None: invoices issued that day go by e-mail
        to its `email` only when there is one. The latest record taking effect on or before `day` decides."""
        latest = self.einvoice_consents.in_effect_on(day)
        return latest if latest is not None and latest.action == EinvoiceConsent.Action.GRANTED else None


class MeteringPoint(models.Model):
    """A heat node (węzeł cieplny) with its own meter, tariff group and ordered power."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(_("punkt"), max_length=30, help_text=_("Identyfikator z systemu bilingowego."))
    customer = models.ForeignKey(
        Customer, verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="metering_points"
    )
    address = models.CharField(_("adres"), max_length=250)
    tariff_group = models.CharField(_("grupa taryfowa"), max_length=20, blank=True)
    ordered_power_mw = models.DecimalField(
        _("moc zamówiona [MW]"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["region", "identifier"]
        verbose_name = _("punkt poboru")
        verbose_name_plural = _("punkty poboru")
        constraints = [
            models.UniqueConstraint(fields=["region", "identifier"], name="point_unique_identifier"),
            models.CheckConstraint(condition=Q(ordered_power_mw__gte=0), name="point_power_not_negative"),
        ]

    def __str__(self):
        return f"{self.identifier} {self.address}"


class ImportRun(models.Model):
    """One run of `import_billing` or `import_ksef`: who, when, which files, what it did or why it refused."""

    class Kind(models.TextChoices):
        CSV = "csv", _("eksport CSV")
        KSEF = "ksef", _("XML KSeF")

    class Result(models.TextChoices):
        OK = "ok", _("zapisano")
        DRY_RUN = "dry-run", _("próba bez zapisu")
        FAILED = "failed", _("odrzucono, nic nie zapisano")

    kind = models.CharField(_("rodzaj"), max_length=4, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    started_by = models.CharField(_("uruchomione przez"), max_length=150)
    started_at = models.DateTimeField(_("początek"), default=timezone.now)
    finished_at = models.DateTimeField(_("koniec"), null=True, blank=True)
    source = models.CharField(_("źródło"), max_length=500)
    dry_run = models.BooleanField(_("próba (--dry-run)"), default=False)
    result = models.CharField(_("wynik"), max_length=7, choices=Result.choices)
    files = models.JSONField(
        _("pliki"), default=list, help_text=_("Nazwa, rozmiar, SHA-256, kodowanie i liczby wierszy każdego pliku.")
    )
    created = models.PositiveIntegerField(_("utworzono"), default=0)
    updated = models.PositiveIntegerField(_("zmieniono"), default=0)
    unchanged = models.PositiveIntegerField(_("bez zmian"), default=0)
    error_count = models.PositiveIntegerField(_("błędy"), default=0)
    errors = models.TextField(_("błędy (pierwsze 100)"), blank=True)
    warnings = models.TextField(_("ostrzeżenia"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import danych")
        verbose_name_plural = _("importy danych")

    def __str__(self):
        return f"{self.get_kind_display()} {self.region} {self.started_at:%Y-%m-%d %H:%M}"

    def summary(self):
        return _("utworzono %(created)d, zmieniono %(updated)d, bez zmian %(unchanged)d") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class AppendOnlyQuerySet(models.QuerySet):
    """A history whose records are only ever added: an update or delete through the ORM is refused (the
    database refuses them too, by triggers in the migrations of each such model)."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} records are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} records are append-only.")


class EinvoiceConsentQuerySet(AppendOnlyQuerySet):
    """Records are only ever added (customers.services.einvoice_consent_record): no update, no delete."""

    def in_effect_on(self, day):
        """The latest record (granted or withdrawn) that takes effect on or before `day`, or None."""
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-recorded_at", "-pk").first()

    def latest_recorded(self):
        return self.order_by("-recorded_at", "-pk").first()


class EinvoiceConsent(models.Model):
    """One grant or withdrawal of a customer's e-invoice consent, online or on paper. Only ever added.

    It covers invoices issued on or after `effective_from` (a date in the company's time zone: the day it
    was recorded; a withdrawal takes effect that same day). An online record names the customer's login
    and IP address, a paper one the staff member who entered it and the date of the signed document.
    `Customer.einvoice_consent` follows the latest record, in the transaction that adds it. Updates and
    deletes are refused by the QuerySet and, in the database, by triggers (migration 0005).
    """

    class Action(models.TextChoices):
        GRANTED = "granted", _("wyrażenie zgody")
        WITHDRAWN = "withdrawn", _("wycofanie zgody")

    class Channel(models.TextChoices):
        ONLINE = "online", _("w eBOK")
        PAPER = "paper", _("na piśmie")

    customer = models.ForeignKey(
        Customer, verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="einvoice_consents"
    )
    action = models.CharField(_("czynność"), max_length=9, choices=Action.choices)
    channel = models.CharField(_("sposób"), max_length=6, choices=Channel.choices)
    email = models.EmailField(_("adres e-mail"), blank=True, help_text=_("Adres, na który odbiorca zgodził się."))
    text_version = models.CharField(_("wersja treści zgody"), max_length=20)
    effective_from = models.DateField(_("obowiązuje od dnia"))
    recorded_at = models.DateTimeField(_("zapisano"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login odbiorcy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pracownik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_on = models.DateField(_("data podpisanego dokumentu"), null=True, blank=True)

    objects = EinvoiceConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("zgoda na e-fakturę (zapis)")
        verbose_name_plural = _("zgody na e-fakturę (historia)")
        indexes = [models.Index(fields=["customer", "-effective_from"], name="consent_customer_effective")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel="online", user__isnull=False, staff__isnull=True, signed_on__isnull=True)
                | Q(channel="paper", user__isnull=True, ip__isnull=True, staff__isnull=False, signed_on__isnull=False),
                name="consent_channel_names_its_people",
            ),
            models.CheckConstraint(condition=Q(action="withdrawn") | ~Q(email=""), name="consent_granted_has_email"),
        ]

    def __str__(self):
        return f"{self.customer.code} {self.get_action_display()} {self.effective_from:%Y-%m-%d}"
