from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outages.forms import OutageForm
from outages.links import unlinked_reports
from outages.models import NoticeChoice, Outage, OutageEvent, OutageNotice, OutageUpdate
from outages.services import (
    CancelRefused,
    affected,
    outage_cancel,
    outage_notify,
    outage_publish,
    outage_refresh_areas,
)
from outages.streets import held_back, region_towns


class NoDeleteAdmin(admin.ModelAdmin):
    """History stays: nothing about an outage is ever deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OutageUpdateInline(admin.TabularInline):
    """Later public notes: added, never changed or removed."""

    model = OutageUpdate
    fields = ["at", "text", "staff"]
    readonly_fields = ["staff"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class OutageEventInline(admin.TabularInline):
    model = OutageEvent
    fields = ["kind", "at", "expected_end", "staff", "notices_display"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("e-maile"))
    def notices_display(self, event):
        counts = event.notices.values("state").annotate(n=Count("pk")).order_by("state")
        labels = dict(OutageNotice.State.choices)
        return ", ".join(f"{labels[row['state']]}: {row['n']}" for row in counts) or "—"


@admin.register(Outage)
class OutageAdmin(NoDeleteAdmin):
    form = OutageForm
    list_display = ["title", "kind", "region", "starts_at", "expected_end", "ended_at", "published_at",
                    "cancelled_at", "point_count"]  # fmt: skip
    list_filter = [
        "region",
        "kind",
        ("published_at", admin.EmptyFieldListFilter),
        ("ended_at", admin.EmptyFieldListFilter),
        ("cancelled_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["points"]
    readonly_fields = [
        "affected_display",
        "areas_display",
        "reports_display",
        "published_at",
        "cancelled_at",
        "created_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["region", "kind", "title", "description", ("heat", "hot_water")]}),
        (_("Czas"), {"fields": ["starts_at", ("expected_end", "end_unknown"), "ended_at"]}),
        (
            _("Punkty poboru"),
            {"fields": ["points", "add_streets", "add_nodes", "affected_display", "areas_display"]},
        ),
        (_("Zgłoszenia odbiorców"), {"fields": ["report_numbers", "reports_display"]}),
        (_("Publikacja"), {"fields": ["publish", "published_at", "cancelled_at", "created_by", "created_at"]}),
    ]
    inlines = [OutageUpdateInline, OutageEventInline]
    actions = ["publish_selected", "cancel_selected"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.published_at is not None:  # the form has no "publish" then
            return [(name, {**options, "fields": [f for f in options["fields"] if f != "publish"]})
                    for name, options in fieldsets]  # fmt: skip
        return fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").annotate(point_total=Count("points"))

    @admin.display(description=_("punkty"), ordering="point_total")
    def point_count(self, outage):
        return outage.point_total

    @admin.display(description=_("dotyczy"))
    def affected_display(self, outage):
        if outage.pk is None:
            return _("Po zapisaniu: liczba punktów poboru i odbiorców.")
        counts = affected(outage)
        return ngettext(
            "%(points)d punkt poboru, odbiorcy: %(customers)d (z adresem e-mail: %(enrolled)d, w tym z wyłączonymi"
            " powiadomieniami: %(off)d)",
            "%(points)d punktów poboru, odbiorcy: %(customers)d (z adresem e-mail: %(enrolled)d, w tym z wyłączonymi"
            " powiadomieniami: %(off)d)",
            counts.points,
        ) % {
            "points": counts.points,
            "customers": counts.customers,
            "enrolled": counts.enrolled,
            "off": counts.switched_off,
        }

    @admin.display(description=_("ulice (jak na stronie publicznej)"))
    def areas_display(self, outage):
        rows = ((area["town"], area["street"], ", ".join(area["numbers"])) for area in outage.areas)
        shown = format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} {}</li>", rows)) if outage.areas else "—"
        warning = self._held_back_warning(outage) if outage.pk else ""
        return format_html("{}<p><strong>{}</strong></p>", shown, warning) if warning else shown

    @staticmethod
    def _held_back_warning(outage):
        """The points' addresses the public page leaves out (outages.streets.held_back), for staff to correct."""
        addresses = held_back(outage.points.values_list("address", flat=True), region_towns(outage.region))
        if not addresses:
            return ""
        return _(
            "Adresy punktów poboru niepokazane na stronie publicznej, bo nie mają postaci „ul. Nazwa numer” "
            "(popraw je w systemie rozliczeniowym): %(n)d — %(addresses)s"
        ) % {"n": len(addresses), "addresses": "; ".join(f"„{address}”" for address in addresses)}

    @admin.display(description=_("zgłoszenia z punktów tej awarii"))
    def reports_display(self, outage):
        if outage.pk is None:
            return "—"
        linked = [
            (case.number, case.get_status_display(), _("powiązane")) for case in outage.reports.order_by("number")
        ]
        suggested = [(case.number, case.get_status_display(), _("niepowiązane")) for case in unlinked_reports(outage)]
        if not linked and not suggested:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} ({}): {}</li>", linked + suggested))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for update in formset.save(commit=False):
            update.staff = update.staff or request.user
            update.save()

    def save_related(self, request, form, formsets, change):
        """After the points are saved (the admin's transaction): the streets for the public page, and the
        events and e-mails the change calls for."""
        super().save_related(request, form, formsets, change)
        outage = form.instance
        outage.reports.set(form.cleaned_data.get("reports", []))
        outage_refresh_areas(outage=outage)
        if form.cleaned_data.get("publish"):
            queued = outage_publish(outage=outage, staff=request.user)
        else:
            queued = outage_notify(outage=outage, staff=request.user)
        self._report(request, outage, queued)

    def _report(self, request, outage, queued):
        counts = affected(outage)
        message = ngettext(
            "Awaria dotyczy %(points)d punktu poboru, odbiorców: %(customers)d.",
            "Awaria dotyczy %(points)d punktów poboru, odbiorców: %(customers)d.",
            counts.points,
        ) % {"points": counts.points, "customers": counts.customers}
        if queued:
            message += " " + ngettext("Zakolejkowano %(n)d e-mail.", "Zakolejkowano %(n)d e-maili.", queued) % {
                "n": queued
            }
        messages.info(request, message)
        if warning := self._held_back_warning(outage):
            messages.warning(request, warning)

    @admin.action(description=_("Opublikuj i powiadom odbiorców"))
    def publish_selected(self, request, queryset):
        queued = published = 0
        for outage in queryset:
            if not outage.points.exists():
                messages.error(
                    request, _("„%(title)s”: bez punktów poboru, nie opublikowano.") % {"title": outage.title}
                )
                continue
            queued += outage_publish(outage=outage, staff=request.user)
            published += 1
        messages.info(
            request,
            ngettext(
                "Opublikowano %(n)d awarię, zakolejkowano e-maili: %(queued)d.",
                "Opublikowano awarii: %(n)d, zakolejkowano e-maili: %(queued)d.",
                published,
            )
            % {"n": published, "queued": queued},
        )

    @admin.action(description=_("Odwołaj planowane wyłączenie i powiadom odbiorców"))
    def cancel_selected(self, request, queryset):
        """Cancel the selected planned shutdowns that have not begun; those told of them get an e-mail."""
        queued = cancelled = 0
        for outage in queryset:
            try:
                queued += outage_cancel(outage=outage, staff=request.user)
            except CancelRefused as refusal:
                messages.error(request, refusal.args[0])
                continue
            cancelled += 1
        if cancelled:
            messages.info(
                request,
                ngettext(
                    "Odwołano %(n)d wyłączenie, zakolejkowano e-maili: %(queued)d.",
                    "Odwołano wyłączeń: %(n)d, zakolejkowano e-maili: %(queued)d.",
                    cancelled,
                )
                % {"n": cancelled, "queued": queued},
            )


@admin.register(OutageNotice)
class OutageNoticeAdmin(ReadOnlyAdmin):
    list_display = ["event", "customer", "to", "state", "queued_at", "sent_at", "attempts"]
    list_filter = ["state", "event__kind", "reporter"]
    search_fields = ["customer__number", "customer__name", "to", "event__outage__title"]
    list_select_related = ["event", "customer"]


@admin.register(NoticeChoice)
class NoticeChoiceAdmin(ReadOnlyAdmin):
    list_display = ["customer", "enabled", "recorded_at", "user", "ip"]
    list_filter = ["enabled"]
    search_fields = ["customer__number", "customer__name"]
    list_select_related = ["customer", "user"]
