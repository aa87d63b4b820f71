"""The printable forms of the public documents page: the eBOK access request, the e-invoice consent and its
withdrawal, as A4 PDFs in the invoices' font.

Anyone gets them blank; a logged-in customer gets them with its own name, address, customer code and NIP
filled in (the view hands over ``request.customer``, never a customer named in the URL).
"""

from dataclasses import dataclass

from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from customers import consent
from customers.models import Region
from invoices.pdf import render_pdf


@dataclass(frozen=True)
class PrintedForm:
    slug: str
    title: str
    description: str
    template: str
    filename: str  # without the extension; ASCII, as every browser and disk accepts it
    # The form prints the e-invoice consent text in force, word for word, with its version: what the customer
    # signs is then exactly what the paper record (which names that version) says was accepted.
    prints_consent_text: bool = False


FORMS = {
    form.slug: form
    for form in (
        PrintedForm(
            slug="wniosek-o-dostep-do-ebok",
            title=_("Wniosek o dostęp do eBOK"),
            description=_(
                "Podpisany wniosek wskazuje adres e-mail, który Biuro Obsługi Klienta przypisze do konta odbiorcy "
                "w eBOK — także przy zmianie tego adresu."
            ),
            template="customers/forms/ebok_access.html",
            filename="wniosek_o_dostep_do_eBOK",
        ),
        PrintedForm(
            slug="akceptacja-faktur-elektronicznych",
            title=_("Akceptacja faktur elektronicznych"),
            description=_(
                "Oświadczenie o akceptacji przesyłania faktur w postaci elektronicznej (art. 106n ustawy o VAT) "
                "— gdy oświadczenie nie jest składane w eBOK."
            ),
            template="customers/forms/einvoice_consent.html",
            filename="akceptacja_faktur_elektronicznych",
            prints_consent_text=True,
        ),
        PrintedForm(
            slug="wycofanie-akceptacji-faktur-elektronicznych",
            title=_("Wycofanie akceptacji faktur elektronicznych"),
            description=_("Oświadczenie, po którym kolejne faktury są doręczane w postaci papierowej."),
            template="customers/forms/einvoice_withdrawal.html",
            filename="wycofanie_akceptacji_faktur_elektronicznych",
        ),
    )
}


def get_form(slug):
    """The form with this slug; an unknown one is a 404."""
    try:
        return FORMS[slug]
    except KeyError:
        raise Http404(_("Nie ma takiego formularza.")) from None


def form_filename(form, customer=None):
    """wniosek_o_dostep_do_eBOK.pdf, or with the customer's code: …_001234-0000.pdf."""
    suffix = f"_{customer.code}" if customer else ""
    return f"{form.filename}{suffix}.pdf"


def form_render_pdf(*, form, customer=None):
    """The PDF bytes of `form` in the active language: blank, or filled with `customer`'s particulars."""
    context = {"form": form, "customer": customer, "regions": Region.objects.all() if customer is None else []}
    if form.prints_consent_text:
        title, *paragraphs = consent.consent_text().split("\n\n")
        context |= {
            "consent_version": consent.CURRENT_VERSION,
            "consent_title": title,
            "consent_paragraphs": paragraphs,
        }
    return render_pdf(render_to_string(form.template, context))
