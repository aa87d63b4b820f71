import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer, MeteringPoint, Region
from customers.validators import nip_checksum_ok


def test_it_seeds_both_regions_with_seller_data(db):
    regions = {r.slug: r for r in Region.objects.all()}
    assert set(regions) == {"jaworzno", "bedzin-czeladz-sosnowiec"}
    assert regions["bedzin-czeladz-sosnowiec"].towns == "Będzin, Czeladź, Sosnowiec"
    for region in regions.values():
        assert nip_checksum_ok(region.seller_nip)
        region.full_clean()


def test_it_rejects_a_duplicate_customer(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(region=owner.region, number=owner.number, sub_code=owner.sub_code, name="Duplikat")


def test_the_same_code_is_a_different_customer_per_sub_code_and_region(owner, sibling, stranger):
    assert Customer.objects.filter(number="001234").count() == 3


def test_it_requires_the_request_date_with_an_email(jaworzno):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(region=jaworzno, number="000007", name="Bez daty", email="a@example.com")


def test_it_rejects_a_duplicate_point_in_a_region(point, stranger):
    MeteringPoint.objects.create(region=stranger.region, identifier=point.identifier, customer=stranger, address="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        MeteringPoint.objects.create(region=point.region, identifier=point.identifier, customer=point.customer)


def test_it_rejects_negative_ordered_power(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        MeteringPoint.objects.create(region=owner.region, identifier="W-1", customer=owner, ordered_power_mw=-1)


def test_customer_codes(owner, sibling):
    assert owner.code == "001234-0000"
    assert sibling.code == "001234-0001"
    assert owner.portal_code == "1234"
    assert owner.nip_display == "632-000-00-68"
    assert owner.address == "ul. Grunwaldzka 12, 43-600 Jaworzno"


@pytest.mark.parametrize(
    ("field", "value"),
    [("number", "1234"), ("number", "00123a"), ("sub_code", "1"), ("nip", "6320000069"), ("postal_code", "43600")],
)
def test_full_clean_rejects_malformed_identifiers(owner, field, value):
    setattr(owner, field, value)
    with pytest.raises(ValidationError) as excinfo:
        owner.full_clean()
    assert field in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("nip", "ok"), [("6320000068", True), ("5265877635", True), ("6320000060", False), ("632000006", False)]
)
def test_nip_checksum(nip, ok):
    assert nip_checksum_ok(nip) is ok
