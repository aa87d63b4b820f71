"""What import_billing and import_ksef share on the command line: the region argument and the report."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customers.models import ImportRun, Region


def region_by_slug(slug):
    try:
        return Region.objects.get(slug=slug)
    except Region.DoesNotExist:
        known = ", ".join(Region.objects.values_list("slug", flat=True))
        raise CommandError(
            _("--region: nie ma regionu „%(slug)s” (są: %(known)s).") % {"slug": slug, "known": known}
        ) from None


def report_run(command, run):
    """Warnings, per-file counts and the summary line; the problems and a non-zero exit when refused."""
    for warning in run.warning_list:
        command.stderr.write(_("Uwaga: %(warning)s") % {"warning": warning})
    for summary in run.files:
        if "created" in summary:
            rows = ngettext("%(n)d wiersz", "%(n)d wierszy", summary["rows"]) % {"n": summary["rows"]}
            command.stdout.write(f"{summary['name']}: {rows} — {changes(summary)}")
    if run.result == ImportRun.Result.FAILED:
        for line in run.problems.report():
            command.stderr.write(line)
        count = run.problems.count
        raise CommandError(
            ngettext(
                "Import odrzucony: %(n)d błąd, nic nie zapisano.",
                "Import odrzucony: %(n)d błędów, nic nie zapisano.",
                count,
            )
            % {"n": count}
        )
    prefix = _("Próba (--dry-run), nic nie zapisano") if run.dry_run else _("Import zakończony")
    command.stdout.write(command.style.SUCCESS(f"{prefix}: {run.summary()}."))


def changes(counts):
    """utworzono 3, zmieniono 0, bez zmian 12: counts after a label, so no noun needs a plural form."""
    return _("utworzono %(created)d, zmieniono %(updated)d, bez zmian %(unchanged)d") % {
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
    }
