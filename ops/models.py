from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The background worker's sign of life, written by a task the worker runs every minute (ops.heartbeat).

    One row (``name`` "worker"). db_worker itself records nothing that tells an idle live worker from a dead
    one, so the worker is given something to do: the task writes ``at``, queues the next one and deletes the
    result row of the one before, so the task table does not grow by a row a minute.
    """

    name = models.CharField(_("nazwa"), max_length=20, primary_key=True)
    at = models.DateTimeField(_("ostatnio"), null=True, blank=True)
    # The heartbeat task that ran last (its result row is deleted by the next) and the one queued next.
    task_id = models.CharField(max_length=64, blank=True)
    next_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("sygnał życia")
        verbose_name_plural = _("sygnały życia")

    def __str__(self):
        return self.name
