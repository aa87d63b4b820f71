import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from accounts import services
from customers.models import Region


@task(priority=10)  # a customer is waiting for the e-mail it leads to
def password_request(region_id, number, sub_code, requested_at, requester=""):
    """The work behind "Pobierz hasło do systemu", done by the worker.

    The page only queues this, the same single row for every code, so neither its answer nor its
    timing can tell whether the code exists, is enrolled, active or over a limit. Here the one-time
    password is made (or the working one taken again) and its e-mail queued in one transaction
    (services.password_request). A request that falls into the code's cool-down after its last mail,
    or into its password's last hour, waits for its end (accounts.limits); a request the worker
    reaches only after a password would have expired is dropped.
    """
    moment = datetime.datetime.fromisoformat(requested_at)
    if timezone.now() - moment > settings.ONE_TIME_PASSWORD_VALIDITY:
        return False
    region = Region.objects.get(pk=region_id)
    try:
        return services.password_request(
            region=region, number=number, sub_code=sub_code, requested_at=moment, requester=requester
        )
    except services.PasswordCoolingDown as cooling:
        password_request.using(run_after=cooling.until).enqueue(region_id, number, sub_code, requested_at, requester)
        return False
