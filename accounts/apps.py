from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Konta")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with eBOK's site: staff log in with a password and a TOTP code (accounts.staff)."""

    default = False  # AccountsConfig stays the app config of "accounts"
    default_site = "accounts.staff.StaffAdminSite"
