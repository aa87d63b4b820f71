import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Region
from invoices.validators import format_nrb, validate_ksef_number, validate_nrb

# Precisions of the billing contract (spec/billing-export.md).
MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 18, "decimal_places": 6}
UNIT_PRICE = {"max_digits": 20, "decimal_places": 8}


def invoice_pdf_path(invoice, filename):
    # The public id, not the number: numbers contain slashes and are guessable.
    return f"invoices/{invoice.issue_date:%Y/%m}/{invoice.public_id}.pdf"


class InvoiceQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-issue_date", "-number")


class Invoice(models.Model):
    """An issued invoice or correction. Issued invoices never change; corrections are new rows."""

    class Kind(models.TextChoices):
        VAT = "VAT", _("faktura VAT")
        KOR = "KOR", _("faktura korygująca")

    class FaKind(models.TextChoices):
        """RodzajFaktury of a KSeF FA(3) invoice: the finer kind behind VAT and KOR."""

        VAT = "VAT", _("Faktura VAT")
        KOR = "KOR", _("Faktura korygująca")
        ZAL = "ZAL", _("Faktura zaliczkowa")
        ROZ = "ROZ", _("Faktura rozliczeniowa (końcowa)")
        UPR = "UPR", _("Faktura uproszczona")
        KOR_ZAL = "KOR_ZAL", _("Korekta faktury zaliczkowej")
        KOR_ROZ = "KOR_ROZ", _("Korekta faktury rozliczeniowej")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("numer"), max_length=60)
    customer = models.ForeignKey(
        Customer, verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(_("rodzaj"), max_length=3, choices=Kind.choices, default=Kind.VAT)
    # The FA(3) kind of an invoice imported from KSeF; empty for one known only from the billing CSV (its
    # kind is then `kind`). The CSV import inserts rows by SQL, hence the database default.
    fa_kind = models.CharField(
        _("rodzaj faktury (KSeF)"), max_length=7, choices=FaKind.choices, blank=True, default="", db_default=""
    )
    # ZAL and KOR_ZAL: the order's value with VAT (Zamowienie/WartoscZamowienia); ROZ: the order's value with
    # VAT as its lines give it, of which the invoice's own amounts are what is left after the advances.
    order_value = models.DecimalField(_("wartość zamówienia brutto"), null=True, blank=True, **MONEY)
    # KOR_ZAL: the advance before the correction; KOR_ROZ: the amount left to pay before it (P_15ZK).
    before_correction = models.DecimalField(_("kwota przed korektą"), null=True, blank=True, **MONEY)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("korygowana faktura"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    issue_date = models.DateField(_("data wystawienia"))
    period_from = models.DateField(_("okres od"), null=True, blank=True)
    period_to = models.DateField(_("okres do"), null=True, blank=True)
    due_date = models.DateField(_("termin płatności"))
    net = models.DecimalField(_("netto"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    gross = models.DecimalField(_("brutto"), **MONEY)
    ksef_number = models.CharField(_("numer KSeF"), max_length=35, blank=True, validators=[validate_ksef_number])
    payment_account = models.CharField(_("rachunek do wpłat"), max_length=26, blank=True, validators=[validate_nrb])
    # The buyer as printed when the invoice was issued (CSV imports copy it from the customer of that
    # export; a KSeF invoice prints the buyer of its XML). Empty on invoices stored before these fields.
    buyer_name = models.CharField(_("nabywca: nazwa"), max_length=250, blank=True, editable=False)
    buyer_nip = models.CharField(_("nabywca: NIP"), max_length=10, blank=True, editable=False)
    buyer_street = models.CharField(_("nabywca: ulica"), max_length=200, blank=True, editable=False)
    buyer_postal_code = models.CharField(_("nabywca: kod pocztowy"), max_length=6, blank=True, editable=False)
    buyer_city = models.CharField(_("nabywca: miejscowość"), max_length=100, blank=True, editable=False)
    # The seller as printed when the invoice was issued, copied from its region (Region.seller_*) by the imports
    # and, for invoices stored before these fields, by migration 0006: editing a region in the admin later
    # changes no invoice already issued. A KSeF invoice prints the seller of its XML.
    seller_name = models.CharField(_("sprzedawca: nazwa"), max_length=200, blank=True, editable=False)
    seller_nip = models.CharField(_("sprzedawca: NIP"), max_length=10, blank=True, editable=False)
    seller_street = models.CharField(_("sprzedawca: ulica i numer"), max_length=200, blank=True, editable=False)
    seller_postal_code = models.CharField(_("sprzedawca: kod pocztowy"), max_length=6, blank=True, editable=False)
    seller_city = models.CharField(_("sprzedawca: miejscowość"), max_length=100, blank=True, editable=False)
    seller_phone = models.CharField(_("sprzedawca: telefon"), max_length=30, blank=True, editable=False)
    ksef_xml = models.BinaryField(_("oryginalny XML KSeF"), null=True, blank=True, editable=False)
    pdf = models.FileField(_("wydruk PDF"), upload_to=invoice_pdf_path, blank=True, editable=False)
    # What the stored PDF's transfer QR code asks for (None: it has none). When that is no longer what is due
    # (a payment, a correction, an applied overpayment), the stored PDF is rendered again before it is served
    # (invoices.services.invoice_pdf): a paid invoice's PDF never asks to be paid again.
    pdf_transfer_amount = models.DecimalField(
        _("kwota w kodzie QR przelewu na wydruku"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("zaimportowano"), auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-number"]
        verbose_name = _("faktura")
        verbose_name_plural = _("faktury")
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="invoice_unique_number"),
            models.UniqueConstraint(
                fields=["ksef_number"], condition=~Q(ksef_number=""), name="invoice_unique_ksef_number"
            ),
            # Rounded to the grosz because SQLite keeps decimals as binary floats (0.10 + 0.20 != 0.30);
            # on PostgreSQL's exact numeric the rounding changes nothing. A KSeF invoice stores its XML's
            # totals as issued, and P_15 may differ from the sum by a grosz of rounding (as in the
            # Ministry's sample 1).
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("vat"), 2)) | Q(ksef_xml__isnull=False),
                name="invoice_gross_is_net_plus_vat",
            ),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True) | Q(period_to__isnull=True) | Q(period_from__lte=F("period_to")),
                name="invoice_period_in_order",
            ),
            # A correction names the invoice it corrects and only a correction may be negative.
            models.CheckConstraint(
                condition=Q(kind="VAT", corrects__isnull=True, net__gte=0, vat__gte=0)
                | Q(kind="KOR", corrects__isnull=False),
                name="invoice_kind_rules",
            ),
            models.CheckConstraint(
                condition=Q(fa_kind="")
                | Q(kind="VAT", fa_kind__in=["VAT", "ZAL", "ROZ", "UPR"])
                | Q(kind="KOR", fa_kind__in=["KOR", "KOR_ZAL", "KOR_ROZ"]),
                name="invoice_fa_kind_matches_kind",
            ),
        ]
        indexes = [
            # A customer's invoices, newest first (Faktury, Pulpit, Rozliczenia).
            models.Index(fields=["customer", "-issue_date", "-number"], name="invoice_customer_newest"),
        ]

    def __str__(self):
        return self.number

    @staticmethod
    def buyer_copy(customer):
        """The buyer_* fields of an invoice issued to `customer` today."""
        return {
            "buyer_name": customer.name,
            "buyer_nip": customer.nip,
            "buyer_street": customer.street,
            "buyer_postal_code": customer.postal_code,
            "buyer_city": customer.city,
        }

    # The copied fields, each named as on Region (the CSV import copies them in SQL by these).
    SELLER_FIELDS = ("seller_name", "seller_nip", "seller_street", "seller_postal_code", "seller_city", "seller_phone")

    @classmethod
    def seller_copy(cls, region):
        """The seller_* fields of an invoice issued in `region` today."""
        return {field: getattr(region, field) for field in cls.SELLER_FIELDS}

    def seller_as_issued(self):
        """The seller_* fields as printed: the copy made at issue, or (an invoice no import created, as in
        tests) its region's as they are now."""
        if self.seller_name:
            return {field: getattr(self, field) for field in self.SELLER_FIELDS}
        return self.seller_copy(self.region)

    @property
    def is_correction(self):
        return self.kind == self.Kind.KOR

    @property
    def kind_label(self):
        """The document's title: the FA(3) kind where known ("Faktura zaliczkowa"), else VAT or correction."""
        if self.fa_kind:
            return self.get_fa_kind_display()
        return self.FaKind(self.kind).label

    @property
    def settled_advances_total(self):
        """ROZ: how much of the order the advances paid, the order's value less what is left to pay."""
        if self.fa_kind != self.FaKind.ROZ or self.order_value is None:
            return None
        return self.order_value - self.gross

    @property
    def payment_account_display(self):
        return format_nrb(self.payment_account)


class InvoiceLine(models.Model):
    class VatRate(models.TextChoices):
        R23 = "23", "23%"
        R8 = "8", "8%"
        R5 = "5", "5%"
        R0 = "0", "0%"
        ZW = "zw", _("zw (zwolnione)")
        NP = "np", _("np (nie podlega)")

    invoice = models.ForeignKey(Invoice, verbose_name=_("faktura"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("lp."))
    name = models.CharField(_("nazwa"), max_length=512)  # FA(3) P_7 allows 512 characters
    unit = models.CharField(_("j.m."), max_length=10, blank=True)
    quantity = models.DecimalField(_("ilość"), null=True, blank=True, **QUANTITY)
    unit_net_price = models.DecimalField(_("cena jedn. netto"), null=True, blank=True, **UNIT_PRICE)
    net_value = models.DecimalField(_("wartość netto"), **MONEY)
    vat_rate = models.CharField(_("stawka VAT"), max_length=2, choices=VatRate.choices)

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("pozycja faktury")
        verbose_name_plural = _("pozycje faktury")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_unique_position"),
            models.CheckConstraint(
                condition=Q(vat_rate__in=["23", "8", "5", "0", "zw", "np"]), name="invoice_line_known_vat_rate"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"


class SettledAdvance(models.Model):
    """An advance invoice that a settling invoice (ROZ, or its correction) accounts for, as its XML names it
    (FakturaZaliczkowa): by KSeF number, or by number when it was issued outside KSeF. `advance` is that
    invoice when eBOK has it for the same customer; FA(3) gives no amount, the advance invoice does."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("faktura rozliczeniowa"), on_delete=models.CASCADE, related_name="settled_advances"
    )
    position = models.PositiveIntegerField(_("lp."))
    number = models.CharField(_("numer faktury zaliczkowej"), max_length=256, blank=True)
    ksef_number = models.CharField(_("numer KSeF faktury zaliczkowej"), max_length=35, blank=True)
    advance = models.ForeignKey(
        Invoice,
        verbose_name=_("faktura zaliczkowa w eBOK"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settled_by",
    )

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("rozliczona zaliczka")
        verbose_name_plural = _("rozliczone zaliczki")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="settled_advance_unique_position"),
            models.CheckConstraint(condition=~Q(number="", ksef_number=""), name="settled_advance_identified"),
        ]

    def __str__(self):
        return self.ksef_number or self.number


class CorrectedInvoice(models.Model):
    """One of the invoices a collective correction (korekta zbiorcza, several DaneFaKorygowanej) corrects, as
    its XML names it. `corrected` is that invoice when eBOK has it for the same customer. The correction's own
    `corrects` is the oldest of those, so that the balance counts the correction in that invoice's group."""

    correction = models.ForeignKey(
        Invoice, verbose_name=_("faktura korygująca"), on_delete=models.CASCADE, related_name="corrected_invoices"
    )
    position = models.PositiveIntegerField(_("lp."))
    number = models.CharField(_("numer faktury korygowanej"), max_length=256)
    issue_date = models.DateField(_("data wystawienia faktury korygowanej"))
    ksef_number = models.CharField(_("numer KSeF faktury korygowanej"), max_length=35, blank=True)
    corrected = models.ForeignKey(
        Invoice,
        verbose_name=_("faktura korygowana w eBOK"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_corrections",
    )

    class Meta:
        ordering = ["correction", "position"]
        verbose_name = _("faktura korygowana zbiorczo")
        verbose_name_plural = _("faktury korygowane zbiorczo")
        constraints = [
            models.UniqueConstraint(fields=["correction", "position"], name="corrected_invoice_unique_position"),
        ]

    def __str__(self):
        return self.number


class Payment(models.Model):
    """Money received, as the billing system booked it."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    billing_id = models.CharField(_("identyfikator wpłaty"), max_length=40)
    customer = models.ForeignKey(
        Customer, verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("data"))
    amount = models.DecimalField(_("kwota"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    title = models.CharField(_("tytuł"), max_length=250, blank=True)
    invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("rozliczana faktura"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )

    class Meta:
        ordering = ["-date", "-billing_id"]
        verbose_name = _("wpłata")
        verbose_name_plural = _("wpłaty")
        constraints = [
            models.UniqueConstraint(fields=["region", "billing_id"], name="payment_unique_billing_id"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["customer", "-date"], name="payment_customer_newest")]

    def __str__(self):
        return f"{self.billing_id} {self.amount}"


class EinvoiceDelivery(models.Model):
    """The e-invoice e-mail of one invoice: at most one per invoice, queued by the import that created it.

    States: queued → sending → sent, or back to queued for a retry, or failed after the last attempt;
    skipped when the consent named another address than the one enrolled now (never sent); unknown when a
    worker stopped after handing the message to the mail server and before recording it (invoices/einvoice.py
    says why that cannot be decided, and staff resend it or not). `attempts` is also the claim: each claim
    raises it, and a worker writes only while the row still carries its own number.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        SENDING = "sending", _("wysyłane")
        SENT = "sent", _("wysłane")
        FAILED = "failed", _("nieudane")
        UNKNOWN = "unknown", _("nie wiadomo, czy wysłane")
        SKIPPED = "skipped", _("pominięte")

    invoice = models.OneToOneField(
        Invoice, verbose_name=_("faktura"), on_delete=models.PROTECT, related_name="einvoice_delivery"
    )
    state = models.CharField(_("stan"), max_length=7, choices=State.choices, default=State.QUEUED)
    to = models.EmailField(_("adres"))
    # Kept for every attempt and resend, so that mail clients fold a second copy into the first.
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True, editable=False)
    reason = models.CharField(_("powód pominięcia"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("próby"), default=0)
    # Errors since it was queued or last resent: MAX_ATTEMPTS of them and it has failed.
    failures = models.PositiveSmallIntegerField(_("błędy od kolejkowania"), default=0)
    last_error = models.TextField(_("ostatni błąd"), blank=True)
    queued_at = models.DateTimeField(_("w kolejce od"))
    next_attempt_at = models.DateTimeField(_("następna próba"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("podjęte przez workera"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("przekazane serwerowi poczty"), null=True, blank=True)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("wysyłka e-faktury")
        verbose_name_plural = _("wysyłki e-faktur")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sending", "sent", "failed", "unknown", "skipped"]),
                name="einvoice_known_state",
            ),
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="einvoice_sent_at"),
            models.CheckConstraint(condition=~Q(state="skipped") | ~Q(reason=""), name="einvoice_skip_has_reason"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="einvoice_state_due")]

    def __str__(self):
        return f"{self.invoice} → {self.to}"


class EinvoiceResend(models.Model):
    """A resend of an e-invoice e-mail asked for by staff (the admin) or `manage.py einvoices --resend`, with
    its reason. Only ever added."""

    delivery = models.ForeignKey(
        EinvoiceDelivery, verbose_name=_("wysyłka"), on_delete=models.PROTECT, related_name="resends"
    )
    at = models.DateTimeField(_("kiedy"))
    staff = models.ForeignKey(
        "accounts.User",
        verbose_name=_("pracownik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Puste: z polecenia manage.py einvoices."),
    )
    reason = models.CharField(_("powód"), max_length=500)
    state_before = models.CharField(_("stan przed"), max_length=7, choices=EinvoiceDelivery.State.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("ponowna wysyłka e-faktury")
        verbose_name_plural = _("ponowne wysyłki e-faktur")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="einvoice_resend_has_reason")]

    def __str__(self):
        return f"{self.delivery.invoice} {self.at:%Y-%m-%d %H:%M}"
