from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.decorators import customer_required
from consumption.chart import month_chart
from consumption.exports import XLSX_CONTENT_TYPE, consumption_csv, consumption_xlsx, filename
from consumption.forms import SelectionForm
from consumption.report import ConsumptionReport

ALL_YEARS = "wszystkie"


def _get_report_for_customer(request):
    """The customer's points and the shown ones (``?punkt=W-0123``: one of them; none: all).

    A point is named by its identifier from the billing system, never by a sequential database id.

    Points are fetched through ``request.customer``, so another customer's point is a 404, exactly like a
    missing one. Returns the report (not loaded yet) and the one shown point or None.
    """
    points = list(request.customer.metering_points.order_by("identifier"))
    raw = request.GET.get("punkt", "")
    point = None
    if raw:
        point = next((p for p in points if p.identifier == raw), None)
        if point is None:
            raise Http404(_("Nie ma takiego punktu poboru."))
    return ConsumptionReport(all_points=points, points=[point] if point else points), point


@customer_required
def index(request):
    """Zużycie ciepła: per point and billing period, the year against the year before, totals per year."""
    report, point = _get_report_for_customer(request)
    form = SelectionForm(
        request.GET or None,
        years=report.years,
        points=report.all_points,
        initial={"rok": report.default_year},
    )
    year = form.cleaned_data["rok"] if form.is_bound and form.is_valid() else None
    report.load(year=year or report.default_year)
    query = {"rok": report.year, **({"punkt": point.identifier} if point else {})}
    context = {
        "report": report,
        "point": point,
        "form": form,
        "chart": month_chart(report.comparison),
        "export_query": urlencode(query),
        "all_years_query": urlencode({**query, "rok": ALL_YEARS}),
    }
    return render(request, "consumption/index.html", context)


def _export(request, *, extension, content_type, build):
    """An export of what the page shows: ``?rok=`` a year with readings or ``wszystkie``; bad input is a 400."""
    report, point = _get_report_for_customer(request)
    raw = request.GET.get("rok", "")
    every_year = raw == ALL_YEARS
    if every_year:
        years = report.years or [report.default_year]
        report.load(year=years[0], first_year=years[-1])
    else:
        form = SelectionForm({"rok": raw}, years=report.years, points=[])
        if not raw or not form.is_valid():
            message = form.errors["rok"][0] if raw else _("Podaj rok albo „wszystkie”.")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        report.load(year=form.cleaned_data["rok"])
    response = HttpResponse(build(report, every_year=every_year), content_type=content_type)
    name = filename(request.customer, report, every_year=every_year, point=point, extension=extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@customer_required
def export_csv(request):
    return _export(
        request,
        extension="csv",
        content_type="text/csv; charset=utf-8",
        build=lambda report, every_year: consumption_csv(report, every_year=every_year).encode(),
    )


@customer_required
def export_xlsx(request):
    return _export(request, extension="xlsx", content_type=XLSX_CONTENT_TYPE, build=consumption_xlsx)
