"""The monthly chart as geometry for an inline SVG: no JavaScript, scales with its container, prints.

The template (``consumption/_chart.html``) places what this computes: a ``viewBox`` of fixed units, so
the drawing keeps its proportions from a 320 px phone to paper, a rounded scale with gridlines, and two
bars per month (the year before, then the chosen year). A month without readings has no bar; the table
beside the chart says "brak danych" for it.

The repeated elements (gridlines, 24 bars, month names) are written here as markup rather than by the
template: about 14 template variables a bar made the chart a tenth of the page's time. Every text goes
through ``escape``; numbers are printed as the template printed them with localisation off (12.5, never
12,5), since an SVG coordinate is not a localised number.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from consumption.formats import active_separators, format_gj

WIDTH = 480
HEIGHT = 280
LEFT = 64  # room for the scale's labels
RIGHT = 8
TOP = 44  # room for the legend
BOTTOM = 28  # room for the months' names
BAR_GAP = 2


@dataclass
class Bar:
    year: int
    month: int
    value: Decimal
    x: float
    y: float
    width: float
    height: float
    label: str


def nice_scale(value):
    """The scale's top and its number of steps: the smallest 1, 2, 2.5 or 5 × 10ⁿ at least ``value``,
    in 4 or 5 round steps (25, 50, 100…), so that a reader can follow the gridlines."""
    if value <= 0:
        return Decimal(1), 4
    magnitude = Decimal(10) ** value.adjusted()
    for leading, steps in ((1, 4), (2, 4), (Decimal("2.5"), 5), (5, 5), (10, 4)):
        if value <= leading * magnitude:
            return leading * magnitude, steps
    raise AssertionError("unreachable: 10 × 10ⁿ is above any value of n digits")  # pragma: no cover


def month_chart(comparison):
    """Everything ``consumption/_chart.html`` draws for a :class:`~consumption.report.YearComparison`."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    top, steps = nice_scale(comparison.maximum)
    slot = plot_width / 12
    bar_width = (slot - 4 * BAR_GAP) / 2

    def height_of(value):
        return round(float(value / top) * plot_height, 2)

    bars, months = [], []
    for index, row in enumerate(comparison.months):
        left = LEFT + index * slot
        months.append({"x": round(left + slot / 2, 2), "label": row.short_name, "name": row.name})
        for offset, year, value in (
            (0, comparison.previous_year, row.previous),
            (1, comparison.year, row.current),
        ):
            if value is None:
                continue
            height = height_of(value)
            bars.append(
                Bar(
                    year=year,
                    month=row.month,
                    value=value,
                    x=round(left + 2 * BAR_GAP + offset * bar_width, 2),
                    y=round(baseline - height, 2),
                    width=round(bar_width, 2),
                    height=height,
                    label=f"{row.name} {year}",
                )
            )
    step_value = top / steps
    places = max(0, -step_value.normalize().as_tuple().exponent)
    separators = active_separators()
    grid = [
        {
            "y": round(baseline - height_of(step_value * n), 2),
            "label_y": round(baseline - height_of(step_value * n) + 5, 2),
            "label": format_gj(step_value * n, places, separators=separators),
        }
        for n in range(steps + 1)
    ]
    chart = {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "label_x": LEFT - 6,
        "right": WIDTH - RIGHT,
        "baseline": baseline,
        "month_label_y": HEIGHT - 8,
        "bars": bars,
        "months": months,
        "grid": grid,
        "comparison": comparison,
    }
    chart["grid_svg"] = _grid_svg(chart)
    chart["bars_svg"] = _bars_svg(chart, separators)
    chart["months_svg"] = _months_svg(chart)
    return chart


# Markup of the repeated elements; each element ends with the indentation of the next one's line, as the
# template's loops left it, so the page stays byte for byte what it was.
SEPARATOR = "\n      "


def _number(value):
    """A coordinate or a value as the template printed it with ``{% localize off %}``: 12.5, 1424.044."""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def _grid_svg(chart):
    left, right, label_x = chart["left"], chart["right"], chart["label_x"]
    return mark_safe(  # noqa: S308 - numbers and escaped labels only
        "".join(
            f'<line x1="{left}" x2="{right}" y1="{_number(line["y"])}" y2="{_number(line["y"])}" stroke="#d5d9e0"/>'
            f'{SEPARATOR}<text x="{label_x}" y="{_number(line["label_y"])}" text-anchor="end">'
            f"{escape(line['label'])}</text>{SEPARATOR}"
            for line in chart["grid"]
        )
    )


def _bars_svg(chart, separators):
    year = chart["comparison"].year
    parts = []
    for bar in chart["bars"]:
        if bar.year == year:
            kind, paint = "current", ' fill="#a3261b"'
        else:
            kind, paint = "previous", ' fill="#c3c8d0" stroke="#4d5766" stroke-width="0.5"'
        label = str(bar.label)
        parts.append(
            f'<rect class="chart__bar chart__bar--{kind}" x="{_number(bar.x)}" y="{_number(bar.y)}" '
            f'width="{_number(bar.width)}" height="{_number(bar.height)}" data-year="{bar.year}" '
            f'data-month="{bar.month}" data-gj="{_number(bar.value)}"{paint}>'
            f"<title>{escape(label[:1].upper() + label[1:])}: {escape(format_gj(bar.value, separators=separators))} GJ"
            f"</title></rect>{SEPARATOR}"
        )
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only


def _months_svg(chart):
    y = chart["month_label_y"]
    return mark_safe(  # noqa: S308 - numbers and escaped labels only
        "".join(
            f'<text x="{_number(month["x"])}" y="{y}" text-anchor="middle">{escape(month["label"])}</text>{SEPARATOR}'
            for month in chart["months"]
        )
    )
