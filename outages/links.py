"""Outage reports (cases of kind "Awaria / brak ogrzewania") linked by staff to the outage they report: their
reporters are told by e-mail when it ends (outages.services.outage_notify), once, like the affected customers."""

import re

from django.utils.translation import gettext as _

from cases.models import Case


class LinkRefused(Exception):
    pass


def parse_numbers(text):
    """Case numbers as staff type or paste them: separated by spaces, commas or lines; upper case."""
    return list(dict.fromkeys(number.upper() for number in re.split(r"[\s,;]+", text or "") if number))


def reports_by_number(*, region, numbers):
    """The outage reports of `region` with these numbers; raises LinkRefused naming every number that is not one."""
    found = {case.number: case for case in Case.objects.filter(number__in=numbers).select_related("region")}
    problems = []
    for number in numbers:
        case = found.get(number)
        if case is None:
            problems.append(_("%(number)s: nie ma takiej sprawy") % {"number": number})
        elif case.kind != Case.Kind.OUTAGE:
            problems.append(_("%(number)s: to nie jest zgłoszenie awarii") % {"number": number})
        elif case.region_id != region.pk:
            problems.append(_("%(number)s: sprawa z regionu %(region)s") % {"number": number, "region": case.region})
    if problems:
        raise LinkRefused("; ".join(problems) + ".")
    return [found[number] for number in numbers]


def reporter_ids(outage):
    """The customers whose linked reports are told of the outage's end."""
    return list(outage.reports.values_list("customer_id", flat=True).distinct())


def unlinked_reports(outage):
    """Open outage reports about one of the outage's points not linked to it yet: what staff may want to link."""
    return (
        Case.objects.open()
        .filter(kind=Case.Kind.OUTAGE, point__outages=outage)
        .exclude(outages=outage)
        .distinct()
        .order_by("filed_at")
    )


def report_numbers(*, outage, customer_id):
    """The numbers of `customer_id`'s reports linked to `outage`, for the e-mail telling them it ended."""
    return list(outage.reports.filter(customer_id=customer_id).order_by("number").values_list("number", flat=True))
