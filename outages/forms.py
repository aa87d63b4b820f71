import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from customers.models import MeteringPoint
from outages.links import LinkRefused, parse_numbers, reports_by_number
from outages.models import Outage
from outages.streets import find_street, parse_address, region_towns

MAX_LISTED = 10


def _listed(values):
    values = list(values)
    shown = ", ".join(values[:MAX_LISTED])
    return shown + (" …" if len(values) > MAX_LISTED else "")


class OutageForm(forms.ModelForm):
    """An outage in the admin. Its points are picked one by one, or added by street or by node (the metering
    point's identifier); all of them in the outage's region. Saving as a draft shows how many points and
    customers that is; "publish" puts it on the public page and queues the e-mails."""

    end_unknown = forms.BooleanField(label=_("przewidywany koniec nieznany"), required=False)
    add_streets = forms.CharField(
        label=_("dodaj punkty przy ulicach"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Jedna ulica w wierszu, np. „ul. Grunwaldzka” albo „Małachowskiego, Będzin” (z miejscowością, gdy ulica"
            " o tej nazwie jest w kilku miejscowościach regionu). Dodaje wszystkie punkty poboru regionu przy niej."
        ),
    )
    add_nodes = forms.CharField(
        label=_("dodaj węzły"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Identyfikatory punktów poboru (węzłów), oddzielone spacjami, przecinkami lub wierszami."),
    )
    report_numbers = forms.CharField(
        label=_("zgłoszenia odbiorców (numery spraw)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Numery spraw „Awaria / brak ogrzewania” tego regionu, np. JAW/2026/00042, oddzielone spacjami lub"
            " wierszami. Zgłaszający dostaną wiadomość, gdy awaria się zakończy."
        ),
    )
    publish = forms.BooleanField(
        label=_("opublikuj i powiadom odbiorców"),
        required=False,
        help_text=_("Awaria pojawi się na stronie „Awarie i wyłączenia” i na Pulpicie odbiorców, a e-maile pójdą."),
    )

    class Meta:
        model = Outage
        fields = [
            "region",
            "kind",
            "title",
            "description",
            "heat",
            "hot_water",
            "starts_at",
            "expected_end",
            "ended_at",
            "points",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous_end = self.instance.ended_at
        if self.instance.pk and self.instance.expected_end is None:
            self.initial["end_unknown"] = True
        if self.instance.published_at is not None:
            del self.fields["publish"]
        if self.instance.pk:
            self.initial["report_numbers"] = "\n".join(self.instance.reports.values_list("number", flat=True))

    def _by_streets(self, region, text):
        towns = region_towns(region)
        wanted = [line.strip() for line in text.splitlines() if line.strip()]
        if not wanted:
            return []
        points = list(MeteringPoint.objects.filter(region=region).only("pk", "address"))
        streets = [(point.pk, parse_address(point.address, towns)[0]) for point in points]
        found, unknown = [], []
        for line in wanted:
            town, key = find_street(line, towns)
            matching = [
                (pk, street) for pk, street in streets if street.key == key and (not town or street.town == town)
            ]
            in_towns = sorted({street.town for _pk, street in matching if street.town})
            if not matching:
                unknown.append(line)
            elif not town and len(in_towns) > 1:
                self.add_error(
                    "add_streets",
                    _("Ulica „%(street)s” jest w kilku miejscowościach regionu (%(towns)s): dopisz miejscowość po"
                      " przecinku.") % {"street": line, "towns": ", ".join(in_towns)},
                )  # fmt: skip
            else:
                found += [pk for pk, _street in matching]
        if unknown:
            self.add_error(
                "add_streets",
                _("Brak punktów poboru przy ulicach w regionie %(region)s: %(streets)s.")
                % {"region": region.name, "streets": _listed(unknown)},
            )
        return found

    def _by_nodes(self, region, text):
        wanted = [node for node in re.split(r"[\s,;]+", text) if node]
        if not wanted:
            return []
        found = dict(
            MeteringPoint.objects.filter(region=region, identifier__in=wanted).values_list("identifier", "pk")
        )
        unknown = [node for node in wanted if node not in found]
        if unknown:
            self.add_error(
                "add_nodes",
                _("Nie ma takich punktów poboru w regionie %(region)s: %(nodes)s.")
                % {"region": region.name, "nodes": _listed(unknown)},
            )
        return list(found.values())

    def clean(self):
        data = super().clean()
        region, start = data.get("region"), data.get("starts_at")
        expected, ended = data.get("expected_end"), data.get("ended_at")
        if not data.get("heat") and not data.get("hot_water"):
            self.add_error("heat", _("Zaznacz, czego dotyczy przerwa: ogrzewania, ciepłej wody albo obu."))
        if data.get("end_unknown") and expected:
            self.add_error("expected_end", _("Podano przewidywany koniec i zaznaczono „nieznany”: wybierz jedno."))
        elif not data.get("end_unknown") and not expected and "expected_end" not in self.errors:
            self.add_error("expected_end", _("Podaj przewidywany koniec albo zaznacz, że jest nieznany."))
        if start and expected and expected <= start:
            self.add_error("expected_end", _("Przewidywany koniec musi być późniejszy niż początek."))
        if start and ended and ended < start:
            self.add_error("ended_at", _("Faktyczny koniec nie może być wcześniejszy niż początek."))
        if ended and ended > timezone.now():
            self.add_error("ended_at", _("Faktyczny koniec nie może być w przyszłości: wpisz go, gdy dostawa wróci."))
        if self.previous_end and not ended:
            self.add_error("ended_at", _("Zakończenia nie można cofnąć; można poprawić jego datę i godzinę."))
        if region is None:
            return data
        points = {point.pk: point for point in data.get("points") or []}
        extra = self._by_streets(region, data.get("add_streets", "")) + self._by_nodes(
            region, data.get("add_nodes", "")
        )
        elsewhere = sorted(point.identifier for point in points.values() if point.region_id != region.pk)
        if elsewhere:
            self.add_error(
                "points",
                ngettext(
                    "Punkt spoza regionu %(region)s: %(points)s.",
                    "Punkty spoza regionu %(region)s: %(points)s.",
                    len(elsewhere),
                )
                % {"region": region.name, "points": _listed(elsewhere)},
            )
        try:
            data["reports"] = reports_by_number(region=region, numbers=parse_numbers(data.get("report_numbers")))
        except LinkRefused as refusal:
            self.add_error("report_numbers", str(refusal))
        ids = set(points) | set(extra)
        data["points"] = MeteringPoint.objects.filter(pk__in=ids)
        if data.get("publish") and not ids:
            self.add_error("publish", _("Nie można opublikować awarii bez punktów poboru."))
        return data
