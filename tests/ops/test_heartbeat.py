"""The worker's heartbeat: a task of the worker once a minute, repaired by housekeeping, never piling up."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from ops import heartbeat
from ops.models import Heartbeat

START = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def beats():
    return DBTaskResult.objects.filter(task_path=heartbeat.TASK_PATH)


def test_without_a_beat_the_age_is_unknown(db):
    assert heartbeat.age() is None


def test_housekeeping_starts_the_beat_and_the_worker_records_it(clock, run_worker):
    call_command("accounts_housekeeping", stdout=io.StringIO())
    assert beats().filter(status="READY").count() == 1
    run_worker()
    assert Heartbeat.objects.get().at == START
    clock.shift(datetime.timedelta(seconds=42))
    assert heartbeat.age() == 42


def test_each_beat_queues_the_next_a_minute_later_and_removes_the_one_before(clock, run_worker):
    heartbeat.schedule()
    for _minute in range(1, 4):
        run_worker()
        clock.shift(datetime.timedelta(seconds=heartbeat.INTERVAL))
    run_worker()
    assert Heartbeat.objects.get().at == START + datetime.timedelta(minutes=3)
    # the one that ran last, and the next one waiting: the task table does not grow by a row a minute
    assert sorted(beats().values_list("status", flat=True)) == ["READY", "SUCCESSFUL"]
    waiting = beats().get(status="READY")
    assert waiting.run_after == START + datetime.timedelta(minutes=4)


def test_scheduling_again_while_a_beat_waits_queues_nothing(clock, db):
    assert heartbeat.schedule() is True
    assert heartbeat.schedule() is False
    assert beats().count() == 1


def test_a_beat_left_running_by_a_killed_worker_is_replaced(clock, run_worker):
    heartbeat.schedule()
    beats().update(status="RUNNING", started_at=START)  # the worker died in the middle of it
    clock.shift(heartbeat.STUCK_AFTER + datetime.timedelta(seconds=1))
    assert heartbeat.schedule() is True
    run_worker()
    assert Heartbeat.objects.get().at == START + heartbeat.STUCK_AFTER + datetime.timedelta(seconds=1)


def test_two_chains_become_one(clock, run_worker):
    """Two beats queued at once (two workers, say): each runs, but only one queues a next beat."""
    heartbeat.schedule()
    heartbeat.beat.enqueue()
    run_worker()
    assert beats().filter(status="READY").count() == 1


def test_the_queue_counts_waiting_tasks_due_now_and_later_but_not_the_beat(clock, db):
    from accounts.tasks import password_request

    heartbeat.schedule()
    password_request.enqueue(1, "001234", "0000", START.isoformat(), "")
    password_request.using(run_after=START + datetime.timedelta(minutes=5)).enqueue(1, "1", "0", "", "")
    assert heartbeat.queue_length() == {"due": 1, "scheduled": 1}
