"""The public page as an Atom feed (every outage it shows) and an iCalendar file (the planned shutdowns)."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from outages.models import Outage
from outages.views import public_outages

FEED_LIMIT = 200
# A calendar event without DTEND or DURATION lasts no time at all (RFC 5545, 3.6.1): a shutdown whose end is not
# known yet is shown as its first day, and its description says the end is unknown.
UNKNOWN_END_SPAN = datetime.timedelta(days=1)


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "d.m.Y H:i")


def streets_text(outage):
    """ "Jaworzno: ul. Grunwaldzka 10, 12; ul. Mickiewicza 3" — the areas as one line per town."""
    towns = {}
    for area in outage.areas:
        street = " ".join([area["street"], ", ".join(area["numbers"])]).strip()
        towns.setdefault(area["town"], []).append(street)
    return "\n".join(
        f"{town}: {'; '.join(streets)}" if town else "; ".join(streets) for town, streets in towns.items()
    )


def outage_text(outage):
    """What the feed's entry and the calendar's event say: kind, supply, times, streets, description."""
    if outage.cancelled_at:
        end = _("Odwołano: %(when)s — dostawa nie zostanie przerwana.") % {"when": _when(outage.cancelled_at)}
    elif outage.ended_at:
        end = _("Koniec: %(when)s") % {"when": _when(outage.ended_at)}
    elif outage.expected_end:
        end = _("Przewidywany koniec: %(when)s") % {"when": _when(outage.expected_end)}
    else:
        end = _("Przewidywany koniec: nieznany")
    lines = [
        f"{outage.get_kind_display().capitalize()} — {outage.region.name} — {outage.supply_display()}",
        _("Początek: %(when)s") % {"when": _when(outage.starts_at)},
        end,
        streets_text(outage),
        outage.description,
        _("Pogotowie ciepłownicze (całą dobę): %(phone)s") % {"phone": settings.EBOK_EMERGENCY_PHONE},
    ]
    return "\n".join(line for line in lines if line)


def _anchor(outage):
    return f"{reverse('outages:public')}#awaria-{outage.public_id}"


class OutageFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Awarie i wyłączenia — %(company)s") % {"company": settings.EBOK_COMPANY["short_name"]}

    def subtitle(self):
        return _("Bieżące i planowane przerwy w dostawie ciepła i ciepłej wody, według ulic.")

    def link(self):
        return reverse("outages:public")

    def author_name(self):
        return settings.EBOK_COMPANY["name"]

    def items(self):
        return public_outages(timezone.now()).order_by("-updated_at", "-pk")[:FEED_LIMIT]

    def item_title(self, item):
        if item.cancelled_at:
            return _("Odwołano — %(title)s") % {"title": item.title}
        return _("Zakończono — %(title)s") % {"title": item.title} if item.ended_at else item.title

    def item_description(self, item):
        return outage_text(item)

    def item_link(self, item):
        return _anchor(item)

    def item_guid(self, item):
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


@require_GET
def planned_calendar(request):
    """The planned shutdowns on the public page as iCalendar events, for a calendar to subscribe to."""
    calendar = Calendar()
    calendar.add("prodid", "-//eBOK//Awarie i wyłączenia//PL")
    calendar.add("version", "2.0")
    calendar.add(
        "x-wr-calname", _("Planowane wyłączenia — %(company)s") % {"company": settings.EBOK_COMPANY["short_name"]}
    )
    # The UID must not change with the host name a request came by (a proxy, an IP address): the portal's own.
    domain = urlsplit(settings.EBOK_BASE_URL).hostname or "ebok"
    for outage in public_outages(timezone.now()).filter(kind=Outage.Kind.PLANNED):
        event = Event()
        event.add("uid", f"{outage.public_id}@{domain}")
        event.add("dtstamp", outage.updated_at)
        event.add("last-modified", outage.updated_at)
        event.add("dtstart", outage.starts_at)
        end = outage.ended_at or outage.expected_end
        description = outage_text(outage)
        if end is None:
            end = outage.starts_at + UNKNOWN_END_SPAN
            description += "\n" + _("Koniec nieznany: w kalendarzu zaznaczono pierwszą dobę.")
        event.add("dtend", end)
        event.add("summary", f"{outage.get_kind_display().capitalize()}: {outage.title}")
        event.add("description", description)
        event.add("location", streets_text(outage).replace("\n", "; "))
        event.add("url", request.build_absolute_uri(_anchor(outage)))
        event.add("status", "CANCELLED" if outage.cancelled_at else "CONFIRMED")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="planowane-wylaczenia.ics"'
    return response
