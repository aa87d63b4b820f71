import getpass
from pathlib import Path

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from customers.importer.command import region_by_slug, report_run
from customers.importer.progress import Progress
from customers.importer.reading import ENCODINGS
from customers.importer.run import billing_import


class Command(BaseCommand):
    help = (
        "Imports a billing export folder (odbiorcy.csv, punkty.csv, odczyty.csv, faktury.csv, pozycje.csv, "
        "wplaty.csv; any may be absent) into a region, as spec/billing-export.md says. Every row is checked "
        "first; if anything is wrong, nothing is written, the problems are listed as file:line: column: message "
        "and the command exits with status 1. One run is one transaction and only one import runs at a time "
        "(a second one refuses). Importing the same folder again changes nothing. Every run is recorded "
        "(admin: Importy danych)."
    )

    # The models' checks only. The others are for the web server (runserver, `check`); WeasyPrint's alone
    # takes 0.7 s to import, a tenth of a million-row import.
    requires_system_checks = [Tags.models]

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Folder with the export's CSV files.")
        parser.add_argument("--region", required=True, help="Region slug, e.g. jaworzno.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, then roll everything back.")
        parser.add_argument(
            "--encoding",
            choices=sorted(ENCODINGS),
            help="Encoding of the files; by default UTF-8 (with or without BOM) if they decode, else Windows-1250.",
        )

    def handle(self, *args, folder, region, dry_run, encoding, **options):
        region = region_by_slug(region)
        if not folder.is_dir():
            raise CommandError(_("Nie ma folderu %(folder)s.") % {"folder": folder})
        progress = Progress(self.stdout._out)
        run = billing_import(
            folder=folder,
            region=region,
            started_by=getpass.getuser(),
            dry_run=dry_run,
            encoding=encoding,
            progress=progress,
        )
        report_run(self, run)
