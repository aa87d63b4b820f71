import getpass
from pathlib import Path

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers.importer.command import region_by_slug, report_run
from invoices.ksef_import import ksef_import, parse_customer_code


class Command(BaseCommand):
    help = (
        "Imports KSeF invoices (FA(3) XML files, or folders of them) into a region. Each file is validated "
        "against the FA(3) schema offline; the buyer is found by Podmiot2/NrKlienta (1234, 001234, "
        "001234-0000) or --customer; the KSeF number is taken from a file name that is one. The original "
        "bytes are kept. One transaction: if any file is wrong, nothing is written and the command exits "
        "with status 1. Importing the same files again changes nothing; an invoice number already stored "
        "with different content is an error."
    )

    # The models' checks only. The others are for the web server (runserver, `check`); WeasyPrint's alone
    # takes 0.7 s to import, a tenth of a million-row import.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
        parser.add_argument("--region", required=True, help="Region slug, e.g. jaworzno.")
        parser.add_argument("--customer", help="The buyer's customer code, 1234 or 1234-0000, for every file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll everything back.")

    def handle(self, *args, paths, region, customer, dry_run, **options):
        region = region_by_slug(region)
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(_("Nie ma: %(paths)s.") % {"paths": ", ".join(missing)})
        if customer and parse_customer_code(customer) is None:
            raise CommandError(
                _("--customer: oczekiwano numeru 1234 albo 1234-0000, podano „%(given)s”.") % {"given": customer}
            )
        run = ksef_import(paths=paths, region=region, started_by=getpass.getuser(), customer=customer, dry_run=dry_run)
        report_run(self, run)
