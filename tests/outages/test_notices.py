"""E-mails to the affected customers: one per event (published, expected end moved, ended), exactly once."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import User
from customers.models import Customer
from outages import notices
from outages.models import NoticeChoice, OutageEvent, OutageNotice
from outages.services import notice_choice_record, outage_notify, outage_publish
from tests.outages.conftest import make_outage, make_point

State = OutageNotice.State


@pytest.fixture
def enrolled_sibling(sibling):
    sibling.email = "budynek-b@sm-zgoda.example"
    sibling.email_requested_on = datetime.date(2026, 10, 1)
    sibling.save()
    return sibling


@pytest.fixture
def outage(owner, point, enrolled_sibling, stranger, stranger_point):
    """A failure in Jaworzno on two of the owner's points; the sibling's point and the stranger's are not in it."""
    make_point(enrolled_sibling, "W-0200", "ul. Grunwaldzka 14, Jaworzno")
    second = make_point(owner, "W-0124", "ul. Grunwaldzka 12B, Jaworzno")
    stranger.email = "wspolnota@example.com"
    stranger.email_requested_on = datetime.date(2026, 10, 1)
    stranger.save()
    return make_outage(owner.region, [point, second])


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_publishing_mails_each_affected_customer_once_and_no_one_else(outage, run_worker):
    outage_publish(outage=outage)
    run_worker()
    assert recipients() == ["zarzad@sm-zgoda.example"]  # one mail for two points; not the sibling, not the stranger
    assert "ul. Grunwaldzka 12B, Jaworzno" in mail.outbox[0].body
    assert "Pogotowie ciepłownicze (całą dobę): 993" in mail.outbox[0].body


def test_a_sub_customer_with_an_affected_point_gets_its_own_mail(outage, enrolled_sibling, run_worker):
    outage.points.add(enrolled_sibling.metering_points.get())
    outage_publish(outage=outage)
    run_worker()
    assert recipients() == ["budynek-b@sm-zgoda.example", "zarzad@sm-zgoda.example"]
    sibling_mail = next(m for m in mail.outbox if m.to == ["budynek-b@sm-zgoda.example"])
    assert "ul. Grunwaldzka 14, Jaworzno" in sibling_mail.body
    assert "Grunwaldzka 12B" not in sibling_mail.body  # only its own points


def test_publishing_again_mails_no_one_twice_and_only_customers_added_since(outage, enrolled_sibling, run_worker):
    outage_publish(outage=outage)
    outage_publish(outage=outage)
    run_worker()
    assert recipients() == ["zarzad@sm-zgoda.example"]
    outage.points.add(enrolled_sibling.metering_points.get())
    outage_publish(outage=outage)
    run_worker()
    assert recipients() == ["budynek-b@sm-zgoda.example", "zarzad@sm-zgoda.example"]
    assert OutageEvent.objects.filter(outage=outage).count() == 1


def test_running_the_worker_again_sends_nothing_more(outage, run_worker):
    outage_publish(outage=outage)
    run_worker()
    notice = OutageNotice.objects.get()
    notices.enqueue([notice.pk])  # a task queued twice
    run_worker()
    assert notices.send(notice.pk) == "not queued"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == notice.message_id


def test_customers_without_an_address_or_inactive_get_nothing(outage, owner, run_worker):
    Customer.objects.filter(pk=owner.pk).update(active=False)
    outage_publish(outage=outage)
    Customer.objects.filter(pk=owner.pk).update(active=True, email="", email_requested_on=None)
    outage_notify(outage=outage)
    run_worker()
    assert mail.outbox == []
    assert OutageNotice.objects.count() == 0


def test_a_draft_mails_no_one(outage, run_worker):
    assert outage_notify(outage=outage) == 0
    run_worker()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("move", "mails"),
    [
        (datetime.timedelta(minutes=59), 0),
        (datetime.timedelta(hours=-1, minutes=-1), 1),
        (datetime.timedelta(hours=3), 1),
        (None, 1),  # to "unknown"
    ],
)
def test_an_expected_end_moved_by_more_than_an_hour_is_mailed(outage, run_worker, move, mails):
    outage_publish(outage=outage)
    run_worker()
    mail.outbox.clear()
    outage.expected_end = None if move is None else outage.expected_end + move
    outage.save()
    outage_notify(outage=outage)
    outage_notify(outage=outage)
    run_worker()
    assert len(mail.outbox) == mails
    if mails:
        assert mail.outbox[0].subject.startswith("Zmiana przewidywanego końca")


def test_small_moves_adding_up_to_more_than_an_hour_are_mailed_once(outage, run_worker):
    outage_publish(outage=outage)
    for _step in range(3):
        outage.expected_end += datetime.timedelta(minutes=25)
        outage.save()
        outage_notify(outage=outage)
    run_worker()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Przerwa w dostawie", "Zmiana przewidywanego końca"]


def test_the_end_is_mailed_once(outage, run_worker):
    outage_publish(outage=outage)
    outage.ended_at = timezone.now()
    outage.save()
    outage_notify(outage=outage)
    outage_notify(outage=outage)
    outage_publish(outage=outage)
    run_worker()
    assert [m.subject for m in mail.outbox] == [
        "Przerwa w dostawie: Awaria sieci przy ul. Grunwaldzkiej",
        "Zakończono: Awaria sieci przy ul. Grunwaldzkiej",
    ]
    assert "przywrócono" in mail.outbox[1].body


def test_an_outage_published_after_it_ended_mails_no_one(outage, run_worker):
    outage.ended_at = timezone.now()
    outage.save()
    outage_publish(outage=outage)
    run_worker()
    assert mail.outbox == []


def test_a_customer_who_switched_notices_off_gets_none(outage, owner, run_worker):
    notice_choice_record(customer=owner, enabled=False, user=User.objects.for_customer(owner))
    outage_publish(outage=outage)
    run_worker()
    assert mail.outbox == []


def test_switching_back_on_brings_the_next_events(outage, owner, run_worker):
    user = User.objects.for_customer(owner)
    notice_choice_record(customer=owner, enabled=False, user=user)
    notice_choice_record(customer=owner, enabled=True, user=user)
    outage_publish(outage=outage)
    run_worker()
    assert recipients() == ["zarzad@sm-zgoda.example"]


def test_switching_off_after_queueing_stops_the_mail(outage, owner, run_worker):
    outage_publish(outage=outage)
    notice_choice_record(customer=owner, enabled=False, user=User.objects.for_customer(owner))
    run_worker()
    assert mail.outbox == []
    assert OutageNotice.objects.get().state == State.SKIPPED


def test_an_address_changed_after_queueing_is_not_mailed(outage, owner, run_worker):
    outage_publish(outage=outage)
    Customer.objects.filter(pk=owner.pk).update(email="nowy@sm-zgoda.example")
    run_worker()
    assert mail.outbox == []
    assert OutageNotice.objects.get().reason == "adres e-mail zmieniono po zakolejkowaniu"


def test_a_customer_whose_points_an_import_moved_away_after_queueing_is_not_mailed(
    outage, owner, enrolled_sibling, run_worker
):
    outage_publish(outage=outage)
    outage.points.update(customer=enrolled_sibling)  # the billing import: the points have a new owner
    run_worker()
    assert mail.outbox == []
    notice = OutageNotice.objects.get(customer=owner)
    assert (notice.state, notice.reason) == (State.SKIPPED, "odbiorca nie ma już punktów poboru objętych awarią")


def test_a_mail_server_error_is_retried_with_the_same_message_id(outage, monkeypatch):
    outage_publish(outage=outage)
    notice = OutageNotice.objects.get()

    def refuse(self, *args, **kwargs):
        raise OSError("421 try later")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        assert notices.send(notice.pk) == State.QUEUED
    notice.refresh_from_db()
    assert (notice.failures, notice.last_error) == (1, "OSError: 421 try later")
    OutageNotice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
    assert notices.send(notice.pk) == State.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == notice.message_id


def test_a_worker_killed_before_the_mail_server_is_queued_again_one_after_is_not(outage):
    outage_publish(outage=outage)
    notice = OutageNotice.objects.get()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    OutageNotice.objects.filter(pk=notice.pk).update(state=State.SENDING, claimed_at=long_ago)
    assert notices.recover() == (1, 0, 0)
    assert notices.send(notice.pk) == State.SENT
    OutageNotice.objects.filter(pk=notice.pk).update(state=State.SENDING, claimed_at=long_ago, handed_over_at=long_ago)
    assert notices.recover() == (0, 1, 0)
    assert notices.send(notice.pk) == "not queued"
    assert len(mail.outbox) == 1


def test_publishing_for_many_customers_takes_a_fixed_number_of_queries(owner, django_assert_max_num_queries):
    region = owner.region
    customers = Customer.objects.bulk_create(
        Customer(region=region, number=f"{5000 + n:06d}", name=f"Odbiorca {n}", email=f"o{n}@example.com",
                 email_requested_on=datetime.date(2026, 10, 1))
        for n in range(300)
    )  # fmt: skip
    points = [make_point(customer, f"W-{9000 + n}", f"ul. Krakowska {n + 1}, Jaworzno") for n, customer in
              enumerate(customers)]  # fmt: skip
    outage = make_outage(region, points)
    with django_assert_max_num_queries(20):  # 300 customers: 6 task rows, one INSERT … SELECT of the notices
        assert outage_publish(outage=outage) == 300
    assert OutageNotice.objects.filter(state=State.QUEUED).count() == 300


def test_the_notice_table_refuses_a_second_row_for_an_event_and_customer(outage, owner):
    outage_publish(outage=outage)
    from django.db import IntegrityError, transaction

    notice = OutageNotice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutageNotice.objects.create(event=notice.event, customer=owner, to=owner.email, message_id="<x@y>",
                                    queued_at=timezone.now())  # fmt: skip


def test_the_choice_history_is_append_only(owner):
    record = notice_choice_record(customer=owner, enabled=False, user=User.objects.for_customer(owner))
    with pytest.raises(TypeError):
        NoticeChoice.objects.filter(pk=record.pk).update(enabled=True)
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE outages_noticechoice SET enabled = %s", [True])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers need two real connections (PostgreSQL)")
def test_two_workers_side_by_side_send_each_notice_once(committed_regions, transactional_db):
    from customers.models import Region

    region = Region.objects.get(slug="jaworzno")
    customers = [
        Customer.objects.create(region=region, number=f"{7000 + n:06d}", name=f"Odbiorca {n}",
                                email=f"o{n}@example.com", email_requested_on=datetime.date(2026, 10, 1))
        for n in range(12)
    ]  # fmt: skip
    outage = make_outage(region, [make_point(c, f"W-{n}", f"ul. Krakowska {n}, Jaworzno") for n, c in
                                  enumerate(customers)])  # fmt: skip
    outage_publish(outage=outage)
    ids = list(OutageNotice.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            results.append(notices.send_batch.call(ids))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recipients() == sorted(f"o{n}@example.com" for n in range(12))
    assert sum(result.get(State.SENT, 0) for result in results) == 12
    assert set(OutageNotice.objects.values_list("state", flat=True)) == {State.SENT}
