"""What import_billing and import_ksef share on the command line: the region argument and the report."""

from django.core.management.base import CommandError

from customers.models import ImportRun, Region


def region_by_slug(slug):
    try:
        return Region.objects.get(slug=slug)
    except Region.DoesNotExist:
        known = ", ".join(Region.objects.values_list("slug", flat=True))
        raise CommandError(f"--region: nie ma regionu „{slug}” (są: {known}).") from None


def report_run(command, run):
    """Warnings, per-file counts and the summary line; the problems and a non-zero exit when refused."""
    for warning in run.warning_list:
        command.stderr.write(f"Uwaga: {warning}")
    for summary in run.files:
        if "created" in summary:
            command.stdout.write(
                f"{summary['name']}: {summary['rows']} wierszy — utworzono {summary['created']}, "
                f"zmieniono {summary['updated']}, bez zmian {summary['unchanged']}"
            )
    if run.result == ImportRun.Result.FAILED:
        for line in run.problems.report():
            command.stderr.write(line)
        raise CommandError(f"Import odrzucony: {run.problems.count} błędów, nic nie zapisano.")
    prefix = "Próba (--dry-run), nic nie zapisano" if run.dry_run else "Import zakończony"
    command.stdout.write(command.style.SUCCESS(f"{prefix}: {run.summary()}."))
