"""The office's queue of cases in the admin: by due date, filtered and searched, the due date marked in words."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case
from tests.cases.conftest import file_case, pdf_bytes, upload
from tests.cases.staffing import service_member
from tests.conftest import log_in_staff, page_text

QUEUE = reverse("admin:cases_case_changelist")
FILED = datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC)  # a complaint is due 04.12, a request 20.12


@pytest.fixture
def today():
    """02.12.2026: the complaint filed on 20.11 is due in 2 days. Asked for before the staff's login, so the
    session starts on that day too."""
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2026, 12, 2)


def filed(customer, *, on=FILED, **details):
    with time_machine.travel(on, tick=False):
        return file_case(customer, **details)


def numbers(response):
    return re.findall(r"[A-Z]{3}/\d{4}/\d{5}", text_of_results(response))


def text_of_results(response):
    html = response.content.decode()
    return page_text(html[html.index('id="result_list"') :])


def test_open_cases_come_first_nearest_due_date_first(today, staff_client, owner, staff_user):
    request = filed(owner, kind=Case.Kind.OTHER)  # due 20.12
    complaint = filed(owner, kind=Case.Kind.COMPLAINT)  # due 04.12
    closed = filed(owner, kind=Case.Kind.OUTAGE)  # due 21.11
    services.case_close(case=closed, user=staff_user)
    assert numbers(staff_client.get(QUEUE)) == [complaint.number, request.number, closed.number]


def test_the_queue_shows_kind_customer_status_filed_due_assigned_and_last_message(
    today, staff_client, owner, staff_user
):
    case = filed(owner, kind=Case.Kind.COMPLAINT)
    services.case_assign(case=case, assignee=staff_user, user=staff_user)
    text = text_of_results(staff_client.get(QUEUE))
    for column in ("Numer sprawy", "Rodzaj", "Odbiorca", "Stan", "Złożono", "Termin odpowiedzi", "Prowadzi",
                   "Ostatnia wiadomość odbiorcy"):  # fmt: skip
        assert column in text
    row = text[text.index(case.number) :]
    assert row.startswith(f"{case.number} Reklamacja faktury 001234-0000 nowa 20 listopada 2026 11:00 04.12.2026")
    assert "bok" in row


def test_a_due_date_near_or_past_is_marked_in_words_and_by_a_class(today, staff_client, owner, sibling):
    soon = filed(owner, kind=Case.Kind.COMPLAINT)  # due 04.12: in 2 days
    late = filed(sibling, kind=Case.Kind.COMPLAINT, on=FILED - datetime.timedelta(days=10))  # due 24.11
    later = filed(owner, kind=Case.Kind.OTHER)  # due 20.12
    html = staff_client.get(QUEUE).content.decode()
    assert re.search(r'class="case-due case-due-soon">04\.12\.2026 <strong>\(termin za 2 dni\)</strong>', html)
    assert re.search(r'class="case-due case-due-overdue">24\.11\.2026 <strong>\(po terminie o 8 dni\)</strong>', html)
    assert "20.12.2026</td>" in html  # not near: no marker
    assert {soon.number, late.number, later.number} <= set(numbers(staff_client.get(QUEUE)))


def test_an_answered_case_past_its_due_date_is_not_marked(today, staff_client, owner, staff_user):
    case = filed(owner, kind=Case.Kind.OUTAGE)
    services.case_answer(case=case, user=staff_user, body="Usunięto awarię.")
    assert "case-due-overdue" not in staff_client.get(QUEUE).content.decode()


def test_filter_overdue_and_due_within_two_days(today, staff_client, owner, staff_user):
    soon = filed(owner, kind=Case.Kind.COMPLAINT)  # due 04.12
    late = filed(owner, kind=Case.Kind.OUTAGE)  # due 21.11
    answered_late = filed(owner, kind=Case.Kind.OUTAGE)
    services.case_answer(case=answered_late, user=staff_user, body="Usunięto.")
    filed(owner, kind=Case.Kind.OTHER)  # due 20.12
    assert numbers(staff_client.get(QUEUE, {"termin": "po"})) == [late.number]
    assert numbers(staff_client.get(QUEUE, {"termin": "wkrotce"})) == [soon.number]


def test_filter_by_region_kind_and_status(today, staff_client, owner, stranger, staff_user, jaworzno):
    outage = filed(owner, kind=Case.Kind.OUTAGE)
    complaint = filed(owner, kind=Case.Kind.COMPLAINT)
    other_region = filed(stranger, kind=Case.Kind.COMPLAINT)
    services.case_set_status(case=complaint, status=Case.Status.IN_PROGRESS, user=staff_user)
    assert set(numbers(staff_client.get(QUEUE, {"region__id__exact": jaworzno.pk}))) == {
        outage.number,
        complaint.number,
    }
    assert set(numbers(staff_client.get(QUEUE, {"kind__exact": "reklamacja"}))) == {
        complaint.number,
        other_region.number,
    }
    assert numbers(staff_client.get(QUEUE, {"status__exact": "in_progress"})) == [complaint.number]


def test_filter_by_who_handles_the_case_mine_nobody_or_a_member(today, staff_client, owner, staff_user):
    member = service_member()
    mine, theirs, nobodys = filed(owner), filed(owner), filed(owner)
    services.case_assign(case=mine, assignee=staff_user, user=staff_user)
    services.case_assign(case=theirs, assignee=member, user=staff_user)
    assert numbers(staff_client.get(QUEUE, {"prowadzi": "moje"})) == [mine.number]
    assert numbers(staff_client.get(QUEUE, {"prowadzi": "nikt"})) == [nobodys.number]
    assert numbers(staff_client.get(QUEUE, {"prowadzi": str(member.pk)})) == [theirs.number]
    assert "anna" in page_text(staff_client.get(QUEUE).content.decode())  # offered as a filter


def test_search_by_case_number_customer_code_and_name(today, staff_client, owner, sibling, stranger):
    own, siblings, strangers = filed(owner), filed(sibling), filed(stranger)
    assert numbers(staff_client.get(QUEUE, {"q": own.number})) == [own.number]
    assert set(numbers(staff_client.get(QUEUE, {"q": "001234-0001"}))) == {siblings.number}
    assert set(numbers(staff_client.get(QUEUE, {"q": "1234"}))) == {own.number, siblings.number, strangers.number}
    assert numbers(staff_client.get(QUEUE, {"q": "Małachowskiego"})) == [strangers.number]


def test_nobody_adds_or_deletes_a_case_in_the_admin(staff_client, owner_case):
    assert staff_client.get(reverse("admin:cases_case_add")).status_code == 403
    delete = reverse("admin:cases_case_delete", args=[owner_case.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Case.objects.filter(pk=owner_case.pk).exists()


def test_the_queue_costs_the_same_queries_however_many_cases(
    staff_client, owner, sibling, staff_user, django_assert_max_num_queries
):
    for customer in (owner, sibling) * 4:
        case = file_case(customer, files=[upload("a.pdf", pdf_bytes())])
        services.case_assign(case=case, assignee=staff_user, user=staff_user)
        services.case_answer(case=case, user=staff_user, body="Odpowiedź")
    with django_assert_max_num_queries(9):
        response = staff_client.get(QUEUE, {"termin": "po", "prowadzi": "moje"})
    assert response.status_code == 200
    with django_assert_max_num_queries(9):
        response = staff_client.get(QUEUE)
    assert len(numbers(response)) == 8


def answered_in_time_then_followed_up(customer, staff_user):
    """A complaint filed 20.11 (due 04.12), answered 01.12, then the customer's follow-up on 02.12 and a closed
    one reopened by the customer: both back "w toku" after the due date, neither owed a first answer."""
    followed_up = filed(customer, kind=Case.Kind.COMPLAINT)
    reopened = filed(customer, kind=Case.Kind.COMPLAINT)
    user = followed_up.messages.get().user
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC), tick=False):
        services.case_answer(case=followed_up, user=staff_user, body="Faktura jest poprawna.")
        services.case_answer(case=reopened, user=staff_user, body="Wystawimy korektę.")
        services.case_close(case=reopened, user=user)
    with time_machine.travel(datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC), tick=False):
        services.case_post_customer_message(case=followed_up, user=user, body="A odczyt z 10.11.?")
        services.case_post_customer_message(case=reopened, user=user, body="Korekty nadal nie ma.")
    return followed_up, reopened


def test_a_follow_up_or_a_reopening_after_an_answer_in_time_is_not_overdue(client, owner, staff_user):
    followed_up, reopened = answered_in_time_then_followed_up(owner, staff_user)
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC), tick=False):
        staff_client = log_in_staff(client, staff_user)
        unanswered = filed(owner, kind=Case.Kind.COMPLAINT)  # due 04.12, never answered: overdue
        for case in (followed_up, reopened):
            case.refresh_from_db()
            assert case.status == Case.Status.IN_PROGRESS
            assert not case.is_overdue()
        assert unanswered.is_overdue()
        assert list(Case.objects.overdue()) == [unanswered]
        html = staff_client.get(QUEUE).content.decode()
        assert html.count("case-due-overdue") == 1
        assert re.search(r"case-due-overdue\">04\.12\.2026 <strong>\(po terminie o 3 dni\)</strong>", html)
        assert numbers(staff_client.get(QUEUE, {"termin": "po"})) == [unanswered.number]
        for case in (followed_up, reopened):
            assert (
                "case-due" not in staff_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
            )


def test_a_case_answered_once_is_never_near_its_due_date(today, staff_client, owner, staff_user):
    answered = filed(owner, kind=Case.Kind.COMPLAINT)  # due 04.12: in 2 days
    services.case_answer(case=answered, user=staff_user, body="Faktura jest poprawna.")
    services.case_post_customer_message(case=answered, user=answered.messages.first().user, body="Dlaczego?")
    waiting = filed(owner, kind=Case.Kind.COMPLAINT)
    assert numbers(staff_client.get(QUEUE, {"termin": "wkrotce"})) == [waiting.number]
    assert staff_client.get(QUEUE).content.decode().count("case-due-soon") == 1
