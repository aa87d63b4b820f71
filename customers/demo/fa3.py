"""The FA(3) XML of demo invoices that carry a KSeF number, as KSeF would hand them back.

Every demo invoice issued since KSeF became mandatory has a KSeF number in the CSV export; a real one
also has its XML in KSeF, and only with those exact bytes can the portal print the verification QR code
(``../shared/spec/ksef.md``: the code's URL ends with the SHA-256 of the bytes). So the demo writes one
schema-valid FA(3) document per such invoice — the seller of the region, the buyer as the export names
it, the lines, VAT and totals of the CSV — into ``<region>/ksef/<KSeF number>.xml``, and ``demo_data``
loads them through ``import_ksef``, which checks each against the schema and against the CSV's invoice.

The KSeF number does not depend on the XML (KSeF assigns it: seller NIP, date, 12 hex digits, CRC-8), so
the export's numbers stay as they are. The bytes are deterministic: the same account gives the same files.
"""

from collections import defaultdict

from lxml import etree
from lxml.builder import ElementMaker

from invoices.ksef import NS

E = ElementMaker(namespace=NS["f"], nsmap={None: NS["f"]})
SYSTEM_INFO = "eBOK, dane demonstracyjne"
TRANSFER = "6"  # FormaPlatnosci: przelew


def amount(value):
    return format(value, "f")


def seller_part(seller):
    """Podmiot1 from a Region's seller fields."""
    return E.Podmiot1(
        E.DaneIdentyfikacyjne(E.NIP(seller.seller_nip), E.Nazwa(seller.seller_name)),
        E.Adres(
            E.KodKraju("PL"),
            E.AdresL1(seller.seller_street),
            E.AdresL2(f"{seller.seller_postal_code} {seller.seller_city}"),
        ),
    )


def buyer_part(customer):
    """Podmiot2 from a row of odbiorcy.csv; a household has no NIP (BrakID)."""
    identity = E.NIP(customer["nip"]) if customer["nip"] else E.BrakID("1")
    return E.Podmiot2(
        E.DaneIdentyfikacyjne(identity, E.Nazwa(customer["nazwa"])),
        E.Adres(
            E.KodKraju("PL"),
            E.AdresL1(customer["ulica"]),
            E.AdresL2(f"{customer['kod_pocztowy']} {customer['miejscowosc']}"),
        ),
        E.NrKlienta(f"{customer['kod']}-{customer['pododbiorca']}"),
        E.JST("2"),
        E.GV("2"),
    )


def annotations():
    """Adnotacje of an ordinary invoice: no cash accounting, self-billing, reverse charge, split payment,
    exemption, new means of transport, simplified procedure or margin scheme."""
    return E.Adnotacje(
        E.P_16("2"),
        E.P_17("2"),
        E.P_18("2"),
        E.P_18A("2"),
        E.Zwolnienie(E.P_19N("1")),
        E.NoweSrodkiTransportu(E.P_22N("1")),
        E.P_23("2"),
        E.PMarzy(E.P_PMarzyN("1")),
    )


def correction_parts(corrected):
    ksef = (
        [E.NrKSeF("1"), E.NrKSeFFaKorygowanej(corrected["numer_ksef"])]
        if corrected["numer_ksef"]
        else [E.NrKSeFN("1")]
    )
    return [
        E.PrzyczynaKorekty("Zastosowanie zatwierdzonej taryfy"),
        E.TypKorekty("2"),  # in the period of the correction's issue date
        E.DaneFaKorygowanej(
            E.DataWystFaKorygowanej(corrected["data_wystawienia"].isoformat()),
            E.NrFaKorygowanej(corrected["numer"]),
            *ksef,
        ),
    ]


def line_part(line):
    return E.FaWiersz(
        E.NrWierszaFa(str(line["lp"])),
        E.P_7(line["nazwa"]),
        E.P_8A(line["jm"]),
        E.P_8B(amount(line["ilosc"])),
        E.P_9A(amount(line["cena_netto"])),
        E.P_11(amount(line["wartosc_netto"])),
        E.P_12(line["stawka_vat"]),
    )


def invoice_xml(*, invoice, lines, customer, seller, corrected=None):
    """The FA(3) document of one invoice row of faktury.csv with its rows of pozycje.csv, as bytes."""
    issued = invoice["data_wystawienia"]
    fa = E.Fa(
        E.KodWaluty("PLN"),
        E.P_1(issued.isoformat()),
        E.P_1M(seller.seller_city),
        E.P_2(invoice["numer"]),
        E.OkresFa(E.P_6_Od(invoice["okres_od"].isoformat()), E.P_6_Do(invoice["okres_do"].isoformat())),
        E.P_13_1(amount(invoice["netto"])),  # every demo line is at 23 %
        E.P_14_1(amount(invoice["vat"])),
        E.P_15(amount(invoice["brutto"])),
        annotations(),
        E.RodzajFaktury(invoice["rodzaj"]),
        *(correction_parts(corrected) if corrected else []),
        *(line_part(line) for line in lines),
        E.Platnosc(
            E.TerminPlatnosci(E.Termin(invoice["termin_platnosci"].isoformat())),
            E.FormaPlatnosci(TRANSFER),
            E.RachunekBankowy(E.NrRB(invoice["rachunek"])),
        ),
    )
    document = E.Faktura(
        E.Naglowek(
            E.KodFormularza("FA", kodSystemowy="FA (3)", wersjaSchemy="1-0E"),
            E.WariantFormularza("3"),
            E.DataWytworzeniaFa(f"{issued.isoformat()}T06:00:00Z"),
            E.SystemInfo(SYSTEM_INFO),
        ),
        seller_part(seller),
        buyer_part(customer),
        fa,
    )
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def account_documents(account, *, seller):
    """(KSeF number, XML bytes) of each of the account's invoices that has a KSeF number."""
    lines = defaultdict(list)
    for line in account.lines:
        lines[line["numer"]].append(line)
    by_number = {invoice["numer"]: invoice for invoice in account.invoices}
    for invoice in account.invoices:
        if invoice["numer_ksef"]:
            corrected = by_number.get(invoice["korygowana"])
            xml = invoice_xml(
                invoice=invoice,
                lines=lines[invoice["numer"]],
                customer=account.customer,
                seller=seller,
                corrected=corrected,
            )
            yield invoice["numer_ksef"], xml


class KsefWriter:
    """Writes the FA(3) files of each account into `folder` (created on the first file)."""

    def __init__(self, folder, *, seller):
        self.folder = folder
        self.seller = seller
        self.count = 0

    def write(self, account):
        for ksef_number, xml in account_documents(account, seller=self.seller):
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{ksef_number}.xml").write_bytes(xml)
            self.count += 1
