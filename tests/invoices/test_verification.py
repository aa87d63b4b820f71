import datetime

import pytest

from invoices import verification
from tests.invoices.conftest import SAMPLE_24, SAMPLE_24_QR


def test_the_qr_url_of_sample_24_is_the_one_in_the_spec():
    assert verification.verification_url(SAMPLE_24.read_bytes()) == SAMPLE_24_QR


def test_the_qr_host_is_a_setting(settings):
    settings.KSEF_QR_HOST = "qr-test.ksef.mf.gov.pl"
    assert verification.verification_url(SAMPLE_24.read_bytes()).startswith("https://qr-test.ksef.mf.gov.pl/invoice/")


def test_the_hash_covers_the_exact_bytes():
    xml = SAMPLE_24.read_bytes()
    assert verification.xml_hash(xml) != verification.xml_hash(xml.replace(b"\n", b"\r\n"))


def test_it_reads_the_seller_and_dates_from_the_xml():
    facts = verification.read_facts(SAMPLE_24.read_bytes())
    assert facts.seller.nip == "9999999999"
    assert facts.seller.name == "Elektrownia S.A."
    assert facts.seller.address_lines == ("ul. Kwiatowa 1 m. 2", "00-001 Warszawa")
    assert facts.issue_date == datetime.date(2026, 2, 28)
    assert facts.number == "FV2026/02/150"


@pytest.mark.parametrize(
    "xml",
    [
        b"not xml",
        b"<Faktura xmlns='http://crd.gov.pl/wzor/2025/06/25/13775/'><Fa><P_1>2026-02-28</P_1></Fa></Faktura>",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    ],
)
def test_it_refuses_what_is_not_an_fa3_invoice(xml):
    with pytest.raises(verification.KsefXmlError):
        verification.read_facts(xml)


def test_the_qr_code_is_an_inline_svg():
    svg = verification.qr_svg(SAMPLE_24_QR)
    assert svg.startswith("<svg")
    assert "<path" in svg
