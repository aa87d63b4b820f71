import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from customers.models import MeteringPoint

GJ = {"max_digits": 14, "decimal_places": 3}


class ConsumptionReadingQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(point__customer=customer)

    def assigned_to_years(self, first, last):
        """Readings whose period ends in the years ``first``..``last``: see ``assigned_month``."""
        return self.filter(period_to__gte=datetime.date(first, 1, 1), period_to__lte=datetime.date(last, 12, 31))


class ConsumptionReading(models.Model):
    """Heat used by one metering point in one billing period (both dates inclusive)."""

    class Kind(models.TextChoices):
        REAL = "R", _("odczyt rzeczywisty")
        ESTIMATE = "S", _("szacunek")

    # No index of its own: reading_unique_period (point, period_from, period_to) serves every lookup by
    # point, and a second index on point_id only slowed down each of the import's million inserts.
    point = models.ForeignKey(
        MeteringPoint,
        verbose_name=_("punkt poboru"),
        on_delete=models.PROTECT,
        related_name="readings",
        db_index=False,
    )
    period_from = models.DateField(_("okres od"))
    period_to = models.DateField(_("okres do"))
    meter_reading_gj = models.DecimalField(
        _("stan licznika [GJ]"), null=True, blank=True, validators=[MinValueValidator(0)], **GJ
    )
    consumption_gj = models.DecimalField(_("zużycie [GJ]"), validators=[MinValueValidator(0)], **GJ)
    kind = models.CharField(_("rodzaj"), max_length=1, choices=Kind.choices, default=Kind.REAL)

    objects = ConsumptionReadingQuerySet.as_manager()

    class Meta:
        ordering = ["point", "-period_from"]
        verbose_name = _("odczyt")
        verbose_name_plural = _("odczyty")
        constraints = [
            # Also the index behind "a point's readings by period".
            models.UniqueConstraint(fields=["point", "period_from", "period_to"], name="reading_unique_period"),
            models.CheckConstraint(condition=Q(period_from__lte=F("period_to")), name="reading_period_in_order"),
            models.CheckConstraint(condition=Q(consumption_gj__gte=0), name="reading_consumption_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=["R", "S"]), name="reading_known_kind"),
        ]

    def __str__(self):
        return f"{self.point.identifier} {self.period_from}–{self.period_to}: {self.consumption_gj} GJ"

    @property
    def assigned_month(self):
        """The (year, month) a reading counts in: the month its period ends in, whole and undivided.

        A period of 15.12.2025–14.01.2026 counts in January 2026, and so in the totals of 2026. Billing
        periods follow meter readings, and a reading's consumption is only known as a whole at its end
        date; dividing it by days would invent monthly figures the meter never showed and make the
        monthly numbers no longer add up to the billed ones. Every total, chart and export uses this rule.
        """
        return self.period_to.year, self.period_to.month

    @property
    def is_estimate(self):
        return self.kind == self.Kind.ESTIMATE
