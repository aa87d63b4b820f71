from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outages"
    verbose_name = _("Awarie i wyłączenia")
