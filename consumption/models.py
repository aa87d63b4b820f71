from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from customers.models import MeteringPoint

GJ = {"max_digits": 14, "decimal_places": 3}


class ConsumptionReading(models.Model):
    """Heat used by one metering point in one billing period (both dates inclusive)."""

    class Kind(models.TextChoices):
        REAL = "R", _("odczyt rzeczywisty")
        ESTIMATE = "S", _("szacunek")

    point = models.ForeignKey(
        MeteringPoint, verbose_name=_("punkt poboru"), on_delete=models.PROTECT, related_name="readings"
    )
    period_from = models.DateField(_("okres od"))
    period_to = models.DateField(_("okres do"))
    meter_reading_gj = models.DecimalField(
        _("stan licznika [GJ]"), null=True, blank=True, validators=[MinValueValidator(0)], **GJ
    )
    consumption_gj = models.DecimalField(_("zużycie [GJ]"), validators=[MinValueValidator(0)], **GJ)
    kind = models.CharField(_("rodzaj"), max_length=1, choices=Kind.choices, default=Kind.REAL)

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
