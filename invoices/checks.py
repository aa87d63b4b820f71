"""A system check that says plainly when PDFs cannot be made on this machine (runserver, `check`)."""

from django.core.checks import Warning, register
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PANGO_HINT = gettext_lazy(
    "Zainstaluj biblioteki Pango, np. w Debianie/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "(macOS: brew install pango). Bez nich faktury i zestawienia w PDF odpowiadają błędem 503; reszta eBOK działa."
)
HARFBUZZ_SUBSET_HINT = gettext_lazy(
    "Zainstaluj HarfBuzz-Subset, np. w Debianie/Ubuntu: apt-get install libharfbuzz-subset0 (macOS: brew install "
    "harfbuzz). Bez niej WeasyPrint wycina czcionki wolniejszym fontTools, a jego przyszłe wersje jej wymagają."
)


@register()
def weasyprint_can_load(app_configs, **kwargs):
    try:
        import weasyprint  # noqa: F401 - loading it is the check: it needs Pango from the system
    except (ImportError, OSError) as error:
        return [
            Warning(
                _("Nie można tworzyć PDF: WeasyPrint nie ładuje bibliotek systemowych (%(error)s).")
                % {"error": error},
                hint=str(PANGO_HINT),
                id="invoices.W001",
            )
        ]
    from weasyprint.text import ffi

    if ffi.harfbuzz_subset is None:
        return [
            Warning(
                _("PDF powstają wolniej: brak biblioteki HarfBuzz-Subset (libharfbuzz-subset)."),
                hint=str(HARFBUZZ_SUBSET_HINT),
                id="invoices.W002",
            )
        ]
    return []
