"""The demo logins: customer 1001-0000 of every region, with an enrolled e-mail address and, on a
development machine only, a published password. ``make run`` prints one line per region."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer, Region

DEMO_NUMBER = "001001"  # the code 1001, sub-customer 0000: the account with the whole story
DEMO_PASSWORD = "zielony-kaloryfer-42"  # noqa: S105 - the published demo password


def demo_email(region):
    """An address under the reserved .example domain: mail to it can only end up in the console or var/mail/."""
    return f"demo.{region.slug}@ebok.example"


@dataclass(frozen=True)
class DemoLogin:
    region: Region
    code: str
    email: str
    password: str  # empty when the published password is not set (DEBUG off)

    def describe(self, base_url):
        if self.password:
            password = _("hasło %(password)s") % {"password": self.password}
        else:
            password = _("hasło: „Pobierz hasło do systemu”")
        return _("%(region)s: %(url)s — Odbiorca %(code)s, %(password)s (e-mail %(email)s)") % {
            "region": self.region.name,
            "url": f"{base_url}/{self.region.slug}/logowanie/",
            "code": self.code,
            "password": password,
            "email": self.email,
        }


def _demo_customers():
    return Customer.objects.filter(number=DEMO_NUMBER, sub_code="0000").select_related("region", "user")


def enrol_demo_customers(*, set_password):
    """Each region's demo customer gets an address, as if staff had enrolled it on a written request;
    with `set_password` (DEBUG only) also the published password."""
    for customer in _demo_customers():
        customer.email = demo_email(customer.region)
        customer.email_requested_on = timezone.localdate()
        customer.save(update_fields=["email", "email_requested_on"])
        if set_password:
            user = User.objects.for_customer(customer)
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])


def demo_logins():
    """The demo logins present in the database, by region name."""
    logins = []
    for customer in _demo_customers().exclude(email="").order_by("region__name"):
        user = getattr(customer, "user", None)
        known = user is not None and user.check_password(DEMO_PASSWORD)
        logins.append(
            DemoLogin(
                region=customer.region,
                code=str(int(customer.number)),
                email=customer.email,
                password=DEMO_PASSWORD if known else "",
            )
        )
    return logins


def print_demo_logins(write):
    """The lines `make run` shows: a login per region and how to get a one-time password by e-mail."""
    logins = demo_logins()
    if not logins:
        return
    write(_("Konta demonstracyjne:"))
    for login in logins:
        write("  " + login.describe(settings.EBOK_BASE_URL))
    write(
        "  "
        + _(
            "Hasło jednorazowe: „Pobierz hasło do systemu” na stronie logowania, Odbiorca 1001; wiadomość "
            "z hasłem pojawi się w tej konsoli i w pliku w var/mail/."
        )
    )
