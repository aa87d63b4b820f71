"""A system check that says plainly when PDFs cannot be made on this machine (runserver, `check`)."""

from django.core.checks import Warning, register

PANGO_HINT = (
    "Zainstaluj biblioteki Pango, np. w Debianie/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "(macOS: brew install pango). Bez nich faktury i zestawienia w PDF odpowiadają błędem 503; reszta eBOK działa."
)


@register()
def weasyprint_can_load(app_configs, **kwargs):
    try:
        import weasyprint  # noqa: F401 - loading it is the check: it needs Pango from the system
    except (ImportError, OSError) as error:
        return [
            Warning(
                f"Nie można tworzyć PDF: WeasyPrint nie ładuje bibliotek systemowych ({error}).",
                hint=PANGO_HINT,
                id="invoices.W001",
            )
        ]
    return []
