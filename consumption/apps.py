from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsumptionConfig(AppConfig):
    name = "consumption"
    verbose_name = _("Zużycie ciepła")
