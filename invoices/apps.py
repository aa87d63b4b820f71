from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Faktury i wpłaty")

    def ready(self):
        from invoices import checks  # noqa: F401 - registers the system check
