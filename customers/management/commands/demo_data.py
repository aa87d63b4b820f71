import datetime
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from customers.demo import DEMO_EMAIL, DEMO_NUMBER, DEMO_PASSWORD, DEMO_REGION, DemoExport, ExportWriter, add_months
from customers.importer.run import billing_import
from customers.models import Customer, ImportRun, Region

MINIMUM_CUSTOMERS = 6


class Command(BaseCommand):
    help = (
        "Writes a realistic billing export (the six CSV files of spec/billing-export.md, one folder per "
        "region) and loads them into an empty database through import_billing, in one transaction. The same --seed, "
        "--customers and --until always give byte-identical files. With --if-empty it does nothing when "
        "customers already exist (what `make run` uses); with --no-load it only writes the files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            default=20,
            help=f"Customer accounts in all (split between the regions, at least {MINIMUM_CUSTOMERS}). Default 20.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Seed of the generator. Default 2026.")
        parser.add_argument(
            "--until",
            help="The last billed month, RRRR-MM. Default: the last complete month.",
        )
        parser.add_argument("--months", type=int, default=36, help="Months of history. Default 36 (3 years).")
        parser.add_argument(
            "--output",
            type=Path,
            default=settings.VAR_DIR / "demo-export",
            help="Folder for the export; each region gets a subfolder. Default var/demo-export.",
        )
        parser.add_argument("--no-load", action="store_true", help="Only write the files.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if customers already exist.")

    def handle(self, *args, customers, seed, until, months, output, no_load, if_empty, **options):
        if if_empty and Customer.objects.exists():
            self.stdout.write(_("Dane są już w bazie: pomijam dane demonstracyjne."))
            self._print_demo_login()
            return
        until = self._parse_until(until)
        if customers < MINIMUM_CUSTOMERS:
            raise CommandError(
                ngettext(
                    "--customers: potrzeba co najmniej %(minimum)d odbiorcy, podano %(given)d.",
                    "--customers: potrzeba co najmniej %(minimum)d odbiorców, podano %(given)d.",
                    MINIMUM_CUSTOMERS,
                )
                % {"minimum": MINIMUM_CUSTOMERS, "given": customers}
            )
        if not 1 <= months <= 240:
            raise CommandError(_("--months: od 1 do 240 miesięcy, podano %(given)d.") % {"given": months})
        if not no_load and Customer.objects.exists():
            raise CommandError(
                _(
                    "Baza zawiera już odbiorców: dane demonstracyjne wczytuję tylko do pustej bazy. "
                    "Użyj --no-load, aby tylko zapisać pliki."
                )
            )

        regions = list(Region.objects.order_by("slug"))
        shares = [customers - customers // 2, customers // 2]
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
        try:
            totals = {}
            for region, share in zip(regions, shares, strict=True):
                export = DemoExport(
                    region.slug, customers=share, seed=seed, until=until, months=months, seller_nip=region.seller_nip
                )
                with ExportWriter(staging / region.slug) as writer:
                    for account in export:
                        writer.write(account)
                totals[region] = writer.counts
            if not no_load:
                # The real import path, both regions in one transaction.
                with transaction.atomic():
                    for region in regions:
                        run = billing_import(folder=staging / region.slug, region=region, started_by="demo_data")
                        if run.result != ImportRun.Result.OK:
                            raise CommandError(_("Import danych demonstracyjnych odrzucony:") + f"\n{run.errors}")
                    if settings.DEBUG:
                        enrol_demo_customer()  # a known password only on a development machine
            output.mkdir(exist_ok=True)
            for region in regions:
                target = output / region.slug
                if target.exists():
                    shutil.rmtree(target)
                (staging / region.slug).rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        for region, counts in totals.items():
            rows = ", ".join(f"{name} {count}" for name, count in counts.items())
            self.stdout.write(f"{region.name}: {output / region.slug} ({rows})")
        action = _("Zapisano pliki") if no_load else _("Zapisano pliki i wczytano dane")
        counted = ngettext("%(n)d odbiorca", "%(n)d odbiorców", customers) % {"n": customers}
        until_text = ngettext("%(n)d miesiąc do %(until)s", "%(n)d miesięcy do %(until)s", months) % {
            "n": months,
            "until": f"{until:%m.%Y}",
        }
        self.stdout.write(self.style.SUCCESS(f"{action}: {counted}, {until_text}."))
        if not no_load:
            self._print_demo_login()

    def _print_demo_login(self):
        user = User.objects.filter(
            customer__region__slug=DEMO_REGION, customer__number=DEMO_NUMBER, customer__sub_code="0000"
        ).first()
        if user is not None and user.check_password(DEMO_PASSWORD):
            self.stdout.write(
                _(
                    "Demo: %(url)s — Odbiorca %(number)s, Hasło %(password)s "
                    "(e-mail %(email)s: wiadomości trafiają do var/mail/)."
                )
                % {
                    "url": f"http://127.0.0.1:8000/{DEMO_REGION}/logowanie/",
                    "number": DEMO_NUMBER[2:],
                    "password": DEMO_PASSWORD,
                    "email": DEMO_EMAIL,
                }
            )

    def _parse_until(self, value):
        if value is None:
            return add_months(timezone.localdate().replace(day=1), -1)
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise CommandError(
                _("--until: oczekiwano miesiąca w postaci RRRR-MM, np. 2026-10; podano %(given)r.") % {"given": value}
            )
        return datetime.date(int(match[1]), int(match[2]), 1)


def enrol_demo_customer():
    """The demo customer gets an e-mail (as if staff had enrolled it) and a known password."""
    customer = Customer.objects.get(region__slug=DEMO_REGION, number=DEMO_NUMBER, sub_code="0000")
    customer.email = DEMO_EMAIL
    customer.email_requested_on = timezone.localdate()
    customer.save(update_fields=["email", "email_requested_on"])
    user = User.objects.for_customer(customer)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
