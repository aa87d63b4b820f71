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

from customers.demo import DemoExport, ExportWriter, add_months
from customers.demo.cases import add_demo_cases_for_logins
from customers.demo.fa3 import KsefWriter
from customers.demo.logins import enrol_demo_customers, print_demo_logins
from customers.importer.run import billing_import
from customers.models import Customer, ImportRun, Region
from invoices.ksef_import import ksef_import
from invoices.tasks import pdf_renders_on_demand
from outages.demo import add_demo_outages

MINIMUM_CUSTOMERS = 6


class Command(BaseCommand):
    help = (
        "Writes a realistic billing export (the six CSV files of spec/billing-export.md, one folder per "
        "region, and the FA(3) XML of every invoice with a KSeF number in its ksef/ subfolder) and loads it "
        "into an empty database through import_billing and import_ksef, in one transaction. Nothing is dated "
        "after today. The same --seed, --customers and --until give byte-identical files. PDFs are not "
        "queued: each is rendered on its first download. With --if-empty it does nothing when customers "
        "already exist (what `make run` uses); with --no-load it only writes the files."
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
            print_demo_logins(self.stdout.write)
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
        today = timezone.localdate()
        shares = [customers - customers // 2, customers // 2]
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
        try:
            totals = {}
            for region, share in zip(regions, shares, strict=True):
                export = DemoExport(
                    region.slug,
                    customers=share,
                    seed=seed,
                    until=until,
                    months=months,
                    seller_nip=region.seller_nip,
                    today=today,
                )
                xml = KsefWriter(staging / region.slug / "ksef", seller=region)
                with ExportWriter(staging / region.slug) as writer:
                    for account in export:
                        writer.write(account)
                        xml.write(account)
                totals[region] = {**writer.counts, "ksef/*.xml": xml.count}
            if not no_load:
                self._load(staging, regions)
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
            print_demo_logins(self.stdout.write)

    def _load(self, staging, regions):
        """The real import paths, both regions in one transaction: the CSV export, then its KSeF XML.
        No PDF is queued: the worker would spend minutes on hundreds of invoices nobody opens."""
        with transaction.atomic(), pdf_renders_on_demand():
            for region in regions:
                run = billing_import(folder=staging / region.slug, region=region, started_by="demo_data")
                self._check(run)
            for region in regions:
                folder = staging / region.slug / "ksef"
                if folder.is_dir():
                    self._check(ksef_import(paths=[folder], region=region, started_by="demo_data"))
            # Addresses as if staff had enrolled them; a known password only on a development machine.
            enrol_demo_customers(set_password=settings.DEBUG)
            add_demo_cases_for_logins()
            add_demo_outages()  # after the enrolment: the current and planned ones e-mail the demo addresses

    def _check(self, run):
        if run.result != ImportRun.Result.OK:
            raise CommandError(_("Import danych demonstracyjnych odrzucony:") + f"\n{run.errors}")

    def _parse_until(self, value):
        if value is None:
            return add_months(timezone.localdate().replace(day=1), -1)
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise CommandError(
                _("--until: oczekiwano miesiąca w postaci RRRR-MM, np. 2026-10; podano %(given)r.") % {"given": value}
            )
        return datetime.date(int(match[1]), int(match[2]), 1)
