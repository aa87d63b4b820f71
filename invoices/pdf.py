"""HTML to PDF with WeasyPrint, which may fetch only the project's own font files.

WeasyPrint is imported inside ``render_pdf``: when its system libraries (Pango) are missing, only a
PDF download fails — with :class:`PdfUnavailable` and a logged reason — and the rest of the project
still imports and runs.
"""

import functools
import logging
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FONT_FOLDER = Path(__file__).resolve().parent / "fonts"


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (not installed, or its system libraries are missing)."""


def allowed_roots():
    """Folders a document may load files from: the fonts the project ships, nothing else."""
    return [FONT_FOLDER, *getattr(settings, "EBOK_PDF_EXTRA_ROOTS", [])]


def is_allowed(url):
    """True for data: URLs and file: URLs inside the allowed folders (after resolving ``..`` and links)."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root.resolve()) for root in allowed_roots()) and path.is_file()


def _fetcher_class(weasyprint_urls):
    class ProjectOnlyFetcher(weasyprint_urls.URLFetcher):
        """Refuses every URL except data: and the project's own files: no network, no /etc/passwd."""

        def fetch(self, url, headers=None):
            if not is_allowed(url):
                logger.warning("PDF: odmowa pobrania zasobu spoza projektu: %s", url[:200])
                raise ValueError(f"Zasób spoza projektu jest niedostępny: {url[:200]}")
            return super().fetch(url, headers)

    return ProjectOnlyFetcher


@functools.cache
def available():
    """Whether WeasyPrint and its system libraries load on this machine (checked once per process)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_pdf(html):
    """The PDF bytes of `html`, with fonts from invoices/fonts/ and nothing fetched from outside."""
    try:
        import weasyprint
        from weasyprint import urls as weasyprint_urls
    except (ImportError, OSError) as error:  # OSError: Pango/HarfBuzz shared libraries not found
        logger.error("PDF: WeasyPrint nie działa na tym serwerze (%s). Zainstaluj biblioteki Pango.", error)
        raise PdfUnavailable(str(error)) from error
    fetcher = _fetcher_class(weasyprint_urls)(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=2)
    return weasyprint.HTML(string=html, base_url=FONT_FOLDER.as_uri() + "/", url_fetcher=fetcher).write_pdf()
