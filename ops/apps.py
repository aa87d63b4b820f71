from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running eBOK in production: health checks, structured logs, metrics, the database router."""

    name = "ops"
    verbose_name = _("Eksploatacja")
