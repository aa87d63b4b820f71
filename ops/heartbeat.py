"""The worker's heartbeat and the task queue, as /healthz and /metrics report them.

django-tasks-db's db_worker records no heartbeat: an idle worker writes nothing, so "the newest finished
task" cannot tell an idle live worker from a dead one. Instead the worker runs `beat`, a task of the highest
priority, once a minute: it writes the time into ops.Heartbeat and queues the next one. It is taken before
any other waiting task, so a live worker beats at most one task's length (seconds: mail, a batch of 20 PDFs)
late; an age well over INTERVAL means the worker is dead, stuck, or cannot reach the database.

The chain is repaired by `schedule`, which `manage.py accounts_housekeeping` (every 5 minutes) calls: it
queues a beat when none is waiting (a fresh installation, a worker killed in the middle of a beat). Two beats
running at once (two workers) take turns on the locked row; only one of them queues the next.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TASK_MAX_PRIORITY, TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from ops.models import Heartbeat

WORKER = "worker"
INTERVAL = 60  # seconds between beats
# Age after which /healthz says "stale": five missed beats; no task of the worker takes that long.
STALE_AFTER = 5 * 60
# A beat still "running" after this was left by a killed worker: schedule() queues another.
STUCK_AFTER = datetime.timedelta(minutes=5)
TASK_PATH = "ops.heartbeat.beat"


def _row():
    """The heartbeat row, locked until the end of the transaction (made on first use)."""
    Heartbeat.objects.get_or_create(pk=WORKER)
    return Heartbeat.objects.select_for_update().get(pk=WORKER)


def _waiting(task_id, now):
    if not task_id:
        return False
    alive = Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gt=now - STUCK_AFTER)
    return DBTaskResult.objects.filter(alive, pk=task_id).exists()


@task(priority=TASK_MAX_PRIORITY, takes_context=True)
def beat(context):
    """Record that the worker is alive now; queue the next beat unless another one is waiting already."""
    now = timezone.now()
    current = str(context.task_result.id)
    with transaction.atomic():
        row = _row()
        if row.task_id and row.task_id != current:
            finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
            DBTaskResult.objects.filter(pk=row.task_id, status__in=finished).delete()
        row.at, row.task_id = now, current
        if row.next_task_id == current or not _waiting(row.next_task_id, now):
            later = now + datetime.timedelta(seconds=INTERVAL)
            row.next_task_id = str(beat.using(run_after=later).enqueue().id)
        row.save()
    return now.isoformat()


def schedule():
    """Queue a beat now unless one is waiting or running; True when one was queued."""
    now = timezone.now()
    with transaction.atomic():
        row = _row()
        if _waiting(row.next_task_id, now):
            return False
        row.next_task_id = str(beat.enqueue().id)
        row.save(update_fields=["next_task_id"])
    return True


def age(now=None):
    """Seconds since the worker's last beat, or None when it never beat. One query."""
    at = Heartbeat.objects.filter(pk=WORKER).values_list("at", flat=True).first()
    if at is None:
        return None
    return max(0.0, ((now or timezone.now()) - at).total_seconds())


def queue_length(now=None):
    """Tasks waiting for the worker (the heartbeat's own left out): "due" may run now, "scheduled" later
    (retries after a mail server error, the next run of a cool-down). One query, on the index of waiting tasks."""
    now = now or timezone.now()
    due = Q(run_after__lte=now) | Q(run_after=get_date_max())
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).exclude(task_path=TASK_PATH)
    counts = waiting.aggregate(due=Count("pk", filter=due), scheduled=Count("pk", filter=~due))
    return {"due": counts["due"], "scheduled": counts["scheduled"]}
