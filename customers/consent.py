"""The texts of the e-invoice consent, one file per version in customers/consent_texts/ (see its README)."""

from pathlib import Path

from django.conf import settings
from django.utils import translation

TEXTS = Path(__file__).resolve().parent / "consent_texts"

# The version customers accept now. A new wording is a new file and a new value here; the old files stay.
CURRENT_VERSION = "2026-2"


def consent_text(version=CURRENT_VERSION, language=None):
    """The text of `version` in `language` (the active one by default), else the binding Polish text."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    for candidate in (language, settings.LANGUAGE_CODE):
        path = TEXTS / f"einvoice-{version}.{candidate}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise FileNotFoundError(f"No text of e-invoice consent version {version!r} in {TEXTS}")


def is_translation(version=CURRENT_VERSION, language=None):
    """Whether consent_text() shows a translation rather than the binding Polish text."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return language != settings.LANGUAGE_CODE and (TEXTS / f"einvoice-{version}.{language}.txt").is_file()
