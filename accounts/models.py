import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import limits


def enrolment_permit_end():
    """Until when a staff member granted a permit now may enrol an authenticator app (accounts.limits)."""
    return timezone.now() + datetime.timedelta(seconds=limits.STAFF_ENROLMENT_PERMIT)


class EbokUserManager(UserManager):
    def for_customer(self, customer):
        """The login of a customer, made on first need with no usable password."""
        user = self.filter(customer=customer).first()
        if user is None:
            user = self.model(username=f"{customer.region.slug}.{customer.code}", customer=customer)
            user.set_unusable_password()
            user.save()
        return user

    def language_for(self, customer):
        """The language of a customer's e-mails and documents: the one they chose, else the default (Polish)."""
        chosen = self.filter(customer=customer).values_list("language", flat=True).first()
        return chosen or settings.LANGUAGE_CODE

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """A new administrator (`manage.py createsuperuser` too) may enrol a second factor at the first login."""
        extra_fields.setdefault("otp_enrolment_until", enrolment_permit_end())
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Staff members log in to the admin by username; a customer's login is linked to its Customer.

    The customer's password lives here, hashed, and nowhere else; staff never see or set it.
    """

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("odbiorca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    # The language the customer last chose with the switch; e-mails and PDFs follow it. Empty: not chosen,
    # Polish (LANGUAGE_CODE) applies.
    language = models.CharField(_("język"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    # A staff member without an authenticator app may enrol one only until then (accounts.staff); set when
    # the account is made (the admin, createsuperuser) or by `manage.py reset_staff_otp`, cleared by the
    # enrolment. Empty: no permit, the password alone leads nowhere.
    otp_enrolment_until = models.DateTimeField(_("może włączyć weryfikację dwuetapową do"), null=True, blank=True)

    objects = EbokUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("użytkownik")
        verbose_name_plural = _("użytkownicy")

    def may_enrol_second_factor(self):
        return self.otp_enrolment_until is not None and self.otp_enrolment_until > timezone.now()

    def grant_second_factor_enrolment(self):
        self.otp_enrolment_until = enrolment_permit_end()
        self.save(update_fields=["otp_enrolment_until"])


class OneTimePasswordQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class OneTimePassword(models.Model):
    """A password e-mailed on request ("Pobierz hasło do systemu"). Only its hash is kept.

    The worker rebuilds the clear text for the e-mail from ``nonce`` and the project's secret key
    (``accounts.otp``), so it is never stored in the task queue. A code has at most one that works:
    a new request from the page e-mails that same password again (the nonce is kept until it is used,
    revoked or expired), so no stranger's request voids the one the owner asked for. Staff sending a
    password, a change of e-mail and the customer setting a password revoke it. Using one does not
    change the customer's own password.
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("odbiorca"), on_delete=models.CASCADE, related_name="one_time_passwords"
    )
    password_hash = models.CharField(max_length=255, editable=False)
    nonce = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("wysłano"), default=timezone.now)
    expires_at = models.DateTimeField(_("ważne do"))
    used_at = models.DateTimeField(_("użyte"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("unieważnione"), null=True, blank=True)
    requested_by_staff = models.BooleanField(_("wysłane przez pracownika"), default=False)

    objects = OneTimePasswordQuerySet.as_manager()

    class Meta:
        verbose_name = _("hasło jednorazowe")
        verbose_name_plural = _("hasła jednorazowe")
        indexes = [models.Index(fields=["customer", "-created_at"], name="otp_customer_newest")]

    def __str__(self):
        return f"{self.customer.code} {self.created_at:%Y-%m-%d %H:%M}"

    def use(self):
        """Mark it used; False when it was used (or revoked, or expired) in the meantime."""
        now = timezone.now()
        return bool(OneTimePassword.objects.usable().filter(pk=self.pk).update(used_at=now, nonce=""))


class Throttle(models.Model):
    """A counter in a time window, shared by every process (see accounts.limits for the rules)."""

    key = models.CharField(_("klucz"), max_length=200, unique=True)
    window_start = models.DateTimeField(_("początek okna"))
    count = models.PositiveIntegerField(_("liczba"), default=0)
    last_at = models.DateTimeField(_("ostatnio"))

    class Meta:
        verbose_name = _("limit prób")
        verbose_name_plural = _("limity prób (blokady)")

    def __str__(self):
        return self.key


class EmailDelivery(models.Model):
    """One e-mail the portal sends: queued with the change that causes it, sent by the worker.

    Holds what the worker needs to build the message, never a secret.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        RETRYING = "retrying", _("ponawiane")
        SENT = "sent", _("wysłane")
        FAILED = "failed", _("nieudane")

    kind = models.CharField(_("rodzaj"), max_length=40)
    to = models.EmailField(_("do"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("odbiorca"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email_deliveries",
    )
    one_time_password = models.ForeignKey(
        OneTimePassword, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    context = models.JSONField(_("dane wiadomości"), default=dict, blank=True)
    status = models.CharField(_("stan"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("próby"), default=0)
    last_error = models.TextField(_("ostatni błąd"), blank=True)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)
    task_id = models.CharField(_("zadanie"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("wysyłka e-mail")
        verbose_name_plural = _("wysyłki e-mail")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="email_sent_has_sent_at"
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.to}"


def mask_email(address):
    """ "zarzad@sm-zgoda.example" → "za***@sm-zgoda.example": enough to tell addresses apart in a log."""
    if not address:
        return ""
    local, _at, domain = address.partition("@")
    return f"{local[:2]}***@{domain}"


class StaffActionQuerySet(models.QuerySet):
    def email_changed(self, *, staff, customer, old_email):
        return self.create(
            staff=staff,
            customer=customer,
            action=StaffAction.Action.EMAIL_CHANGED,
            old_value=mask_email(old_email),
            new_value=mask_email(customer.email),
            request_date=customer.email_requested_on,
        )

    def password_sent(self, *, staff, customer):
        return self.create(
            staff=staff,
            customer=customer,
            action=StaffAction.Action.PASSWORD_SENT,
            new_value=mask_email(customer.email),
        )

    def einvoice_consent_on_paper(self, *, staff, consent):
        granted = consent.action == consent.Action.GRANTED
        return self.create(
            staff=staff,
            customer=consent.customer,
            action=StaffAction.Action.CONSENT_PAPER_ON if granted else StaffAction.Action.CONSENT_PAPER_OFF,
            new_value=mask_email(consent.email),
            request_date=consent.signed_on,
        )

    def lockout_lifted(self, *, staff, throttle):
        return self.create(
            staff=staff, action=StaffAction.Action.LOCKOUT_LIFTED, old_value=f"{throttle.key} ({throttle.count})"[:200]
        )

    def second_factor_reset(self, *, staff, member):
        return self.create(staff=staff, member=member, action=StaffAction.Action.OTP_RESET)


class StaffAction(models.Model):
    """A staff member's step that touches a way in, written in the same transaction as the step.

    A customer's way in (e-mail, password sent, e-invoice consent on paper, with the date of the signed
    document in ``request_date``) names the customer; lifting a lock-out names the
    counter (its key and count, in ``old_value``); resetting a member's second factor names the member.
    Only ever added: nobody changes or deletes an entry (the admin shows them read-only), and nobody
    named by entries can be deleted. E-mail addresses are kept masked: the log tells who did what and
    when, it is not a second copy of the addresses.
    """

    class Action(models.TextChoices):
        EMAIL_CHANGED = "email_changed", _("wpisanie lub zmiana adresu e-mail")
        PASSWORD_SENT = "password_sent", _("wysłanie hasła jednorazowego")
        LOCKOUT_LIFTED = "lockout_lifted", _("zdjęcie blokady (limitu prób)")
        OTP_RESET = "otp_reset", _("usunięcie weryfikacji dwuetapowej pracownika i zgoda na ponowne włączenie")
        CONSENT_PAPER_ON = "consent_paper_on", _("zgoda na e-fakturę złożona na piśmie")
        CONSENT_PAPER_OFF = "consent_paper_off", _("wycofanie zgody na e-fakturę złożone na piśmie")

    at = models.DateTimeField(_("kiedy"), default=timezone.now)
    staff = models.ForeignKey(User, verbose_name=_("pracownik"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("odbiorca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_actions",
    )
    member = models.ForeignKey(
        User,
        verbose_name=_("konto pracownika"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("czynność"), max_length=20, choices=Action.choices)
    old_value = models.CharField(_("było"), max_length=200, blank=True)
    new_value = models.CharField(_("jest"), max_length=200, blank=True)
    request_date = models.DateField(_("data pisemnego wniosku"), null=True, blank=True)

    objects = StaffActionQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("czynność pracownika")
        verbose_name_plural = _("czynności pracowników (dostęp do portalu)")
        indexes = [models.Index(fields=["customer", "-at"], name="staffaction_customer_newest")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.staff} {self.get_action_display()}"
