import ipaddress

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import customer_required
from accounts.throttle import client_ip
from customers.models import Region
from outages.models import Outage
from outages.services import NoticeChoiceRefused, notice_choice_record


def public_outages(now):
    """What the public page, the feed and the calendar show, with the regions' names: one query."""
    return Outage.objects.on_public_page(now).select_related("region").order_by("starts_at", "pk")


@require_GET
def public(request):
    """Awarie i wyłączenia: current, upcoming and recently ended outages per region, by street; never a
    customer's name, code or metering point. Public, readable without JavaScript."""
    now = timezone.now()
    outages = list(public_outages(now).prefetch_related("updates"))
    regions = []
    for region in Region.objects.all():
        mine = [outage for outage in outages if outage.region_id == region.pk]
        regions.append(
            {
                "region": region,
                "current": [o for o in mine if o.state(now) == "current"],
                "upcoming": [o for o in mine if o.state(now) == "upcoming"],
                "ended": sorted((o for o in mine if o.state(now) == "ended"), key=lambda o: o.ended_at, reverse=True),
                "cancelled": [o for o in mine if o.state(now) == "cancelled"],
            }
        )
    context = {"regions": regions, "emergency_phone": settings.EBOK_EMERGENCY_PHONE, "now": now}
    return render(request, "outages/public.html", context)


def _valid_ip(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@never_cache
@customer_required
@require_POST
def notice_choice(request):
    """Konto: switch the outage e-mails off or back on; recorded with the login and the IP address."""
    enabled = request.POST.get("enabled")
    if enabled not in ("0", "1"):
        messages.error(request, _("Nie wybrano, czy powiadomienia mają być włączone."))
        return redirect("account")
    try:
        notice_choice_record(
            customer=request.customer, enabled=enabled == "1", user=request.user, ip=_valid_ip(client_ip(request))
        )
    except NoticeChoiceRefused as refusal:
        messages.error(request, refusal.args[0])
        return redirect("account")
    if enabled == "1":
        messages.success(request, _("Powiadomienia o awariach i wyłączeniach zostały włączone."))
    else:
        messages.success(request, _("Powiadomienia o awariach i wyłączeniach zostały wyłączone."))
    return redirect("account")
