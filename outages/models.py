import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import AppendOnlyQuerySet, Customer, MeteringPoint, Region

# How long an ended outage stays on the public page, the feed and the calendar after its end.
RECENTLY_ENDED_DAYS = 7


def local(moment, pattern):
    """`moment` in the portal's time zone (staff read Polish time, not UTC), as `pattern`; "" when not set yet."""
    return timezone.localtime(moment).strftime(pattern) if moment else ""


class OutageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current_or_upcoming(self):
        return self.published().filter(ended_at__isnull=True, cancelled_at__isnull=True)

    def on_public_page(self, now=None):
        """What the public page, the Atom feed and the calendar show: not ended or cancelled, or ended or
        cancelled in the last days (a cancellation is shown, so that those who read of the shutdown learn of it)."""
        since = (now or timezone.now()) - datetime.timedelta(days=RECENTLY_ENDED_DAYS)
        return self.published().filter(
            Q(ended_at__isnull=True, cancelled_at__isnull=True) | Q(ended_at__gte=since) | Q(cancelled_at__gte=since)
        )


class Outage(models.Model):
    """A failure (awaria) or a planned shutdown of heat and/or hot water for a set of metering points.

    Staff enter it in the admin, then publish it; from then on it is on the public page (by street, never by
    customer), on the affected customers' Pulpit, and its events (published, expected end moved, ended) are
    e-mailed to them (outages.notices). A planned shutdown that has not begun can be cancelled
    (services.outage_cancel): it stays on the public page a week, marked so, and those told of it are told it is off.
    Nothing is deleted: an outage's history stays.
    """

    class Kind(models.TextChoices):
        FAILURE = "failure", _("awaria")
        PLANNED = "planned", _("wyłączenie planowane")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("rodzaj"), max_length=7, choices=Kind.choices)
    title = models.CharField(
        _("tytuł"), max_length=200, help_text=_("Publiczny, np. „Awaria sieci ciepłowniczej przy ul. Grunwaldzkiej”.")
    )
    description = models.TextField(
        _("opis dla odbiorców"), blank=True, help_text=_("Publiczny: co się stało, co robimy, czego się spodziewać.")
    )
    heat = models.BooleanField(_("ogrzewanie"), default=True)
    hot_water = models.BooleanField(_("ciepła woda"), default=True)
    starts_at = models.DateTimeField(_("początek"))
    expected_end = models.DateTimeField(_("przewidywany koniec"), null=True, blank=True)
    ended_at = models.DateTimeField(_("faktyczny koniec"), null=True, blank=True)
    points = models.ManyToManyField(MeteringPoint, verbose_name=_("punkty poboru"), related_name="outages", blank=True)
    reports = models.ManyToManyField(
        "cases.Case",
        verbose_name=_("zgłoszenia odbiorców"),
        related_name="outages",
        blank=True,
        limit_choices_to={"kind": "awaria"},
        help_text=_(
            "Sprawy „Awaria / brak ogrzewania”, którymi odbiorcy zgłosili tę awarię: dostaną wiadomość o końcu."
        ),
    )
    areas = models.JSONField(
        _("ulice"), default=list, editable=False, help_text=_("Ulice i numery budynków punktów, jak na stronie.")
    )
    published_at = models.DateTimeField(_("opublikowano"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("odwołano"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wprowadzone przez"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("zmieniono"), auto_now=True)

    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("awaria lub wyłączenie")
        verbose_name_plural = _("awarie i wyłączenia")
        indexes = [models.Index(fields=["ended_at", "starts_at"], name="outage_open_by_start")]
        constraints = [
            models.CheckConstraint(condition=Q(heat=True) | Q(hot_water=True), name="outage_heat_or_hot_water"),
            models.CheckConstraint(
                condition=Q(expected_end__isnull=True) | Q(expected_end__gt=models.F("starts_at")),
                name="outage_expected_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("starts_at")),
                name="outage_ended_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title} ({local(self.starts_at, '%Y-%m-%d')})"

    @property
    def is_planned(self):
        return self.kind == self.Kind.PLANNED

    def state(self, now=None):
        """ "upcoming", "current", "ended" or "cancelled", as the pages label it."""
        if self.cancelled_at is not None:
            return "cancelled"
        if self.ended_at is not None:
            return "ended"
        return "current" if self.starts_at <= (now or timezone.now()) else "upcoming"

    def supply_display(self):
        if self.heat and self.hot_water:
            return _("ogrzewanie i ciepła woda")
        return _("ogrzewanie") if self.heat else _("ciepła woda")

    def end_for_periods(self, now=None):
        """When the outage ends as far as anyone knows: its end, the expected one, or (still going) now."""
        if self.ended_at is not None:
            return self.ended_at
        now = now or timezone.now()
        return max(self.expected_end, now) if self.expected_end else now


class OutageUpdate(models.Model):
    """A later public note on an outage ("the pipe is replaced, filling the network"); only ever added."""

    outage = models.ForeignKey(Outage, verbose_name=_("awaria"), on_delete=models.PROTECT, related_name="updates")
    at = models.DateTimeField(_("kiedy"), default=timezone.now)
    text = models.TextField(_("treść (publiczna)"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pracownik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("aktualizacja")
        verbose_name_plural = _("aktualizacje (publiczne)")

    def __str__(self):
        return local(self.at, "%Y-%m-%d %H:%M")


class OutageEvent(models.Model):
    """What the affected customers are told by e-mail: the publication, each move of the expected end by more
    than an hour, the end. Each customer gets one e-mail per event (OutageNotice, unique per event and customer)."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("opublikowanie")
        END_CHANGED = "end-moved", _("zmiana przewidywanego końca")
        ENDED = "ended", _("zakończenie")
        CANCELLED = "cancelled", _("odwołanie")

    outage = models.ForeignKey(Outage, verbose_name=_("awaria"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("zdarzenie"), max_length=9, choices=Kind.choices)
    at = models.DateTimeField(_("kiedy"), default=timezone.now)
    expected_end = models.DateTimeField(
        _("przewidywany koniec"), null=True, blank=True, help_text=_("Ogłoszony w tym zdarzeniu; puste: nieznany.")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pracownik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("zdarzenie awarii")
        verbose_name_plural = _("zdarzenia awarii")
        constraints = [
            models.UniqueConstraint(
                fields=["outage", "kind"],
                condition=Q(kind__in=["published", "ended", "cancelled"]),
                name="outage_event_published_ended_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {local(self.at, '%Y-%m-%d %H:%M')}"


class OutageNotice(models.Model):
    """One e-mail about one event to one affected customer: queued with the event, sent once (outages.notices)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        SENDING = "sending", _("wysyłane")
        SENT = "sent", _("wysłane")
        FAILED = "failed", _("nieudane")
        UNKNOWN = "unknown", _("nie wiadomo, czy wysłane")
        SKIPPED = "skipped", _("pominięte")

    event = models.ForeignKey(
        OutageEvent, verbose_name=_("zdarzenie"), on_delete=models.PROTECT, related_name="notices"
    )
    customer = models.ForeignKey(Customer, verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="+")
    to = models.EmailField(_("adres"))
    reporter = models.BooleanField(
        _("do zgłaszającego"),
        default=False,
        help_text=_("Odbiorca zgłosił tę awarię w sprawie powiązanej z nią: dostaje wiadomość o jej zakończeniu."),
    )
    state = models.CharField(_("stan"), max_length=7, choices=State.choices, default=State.QUEUED)
    message_id = models.CharField("Message-ID", max_length=200, unique=True, editable=False)
    reason = models.CharField(_("powód pominięcia"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("próby"), default=0)
    failures = models.PositiveSmallIntegerField(_("błędy"), default=0)
    last_error = models.TextField(_("ostatni błąd"), blank=True)
    queued_at = models.DateTimeField(_("w kolejce od"))
    next_attempt_at = models.DateTimeField(_("następna próba"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("podjęte przez workera"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("przekazane serwerowi poczty"), null=True, blank=True)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("powiadomienie o awarii")
        verbose_name_plural = _("powiadomienia o awariach")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outage_notice_state_due")]
        constraints = [
            models.UniqueConstraint(fields=["event", "customer"], name="outage_notice_once_per_event"),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="outage_notice_sent_at"
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.customer.code}"


class NoticeChoice(models.Model):
    """A customer switching the outage e-mails off or back on in Konto: who, when, from which IP. Only ever
    added; the latest record decides, and without one the notices are on. Updates and deletes are refused
    by the QuerySet and, in the database, by triggers (migration 0002)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("odbiorca"), on_delete=models.PROTECT, related_name="outage_notice_choices"
    )
    enabled = models.BooleanField(_("powiadomienia włączone"))
    recorded_at = models.DateTimeField(_("zapisano"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("login odbiorcy"), on_delete=models.PROTECT, related_name="+"
    )
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()  # outages.services.notice_choice_record adds; nothing changes

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("powiadomienia o awariach (zapis)")
        verbose_name_plural = _("powiadomienia o awariach (historia ustawień)")
        indexes = [models.Index(fields=["customer", "-recorded_at"], name="notice_choice_latest")]

    def __str__(self):
        return f"{self.customer.code} {local(self.recorded_at, '%Y-%m-%d %H:%M')}"


def notices_enabled(customer):
    """Whether `customer` gets outage e-mails: the latest choice, on when there is none."""
    latest = customer.outage_notice_choices.order_by("-recorded_at", "-pk").values_list("enabled", flat=True).first()
    return latest is not False
