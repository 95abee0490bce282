"""The timeline of transformer milestones: a Vega-Lite chart for the page and the same layout as a PNG.

The landing page draws this chart with Vega-Lite rather than plotly: it is the one chart a first visitor sees,
and Vega-Lite's browser code is a sixth of plotly.js's, so the page is on screen sooner (bench/cold_start.py,
median of 5 cold starts: 3.17 s against 4.03 s with this chart in plotly). Streamlit's Vega-Lite charts have
no save button, so ``timeline_png`` draws the same points, lanes, names and colours with Pillow for the
"Download the chart (PNG)" button.
"""

from __future__ import annotations

import io
from datetime import date

from PIL import Image, ImageDraw, ImageFont

from viz.figures.style import BLUE, VERMILLION

FIELD_COLOURS = {"NLP": BLUE, "Vision": VERMILLION}  # the first two categories of viz.figures.style
TITLE = "Key milestones of the transformer"
SUBTITLE = "Hover a point for what it showed"
X_TITLE = "Date"
LANE_RANGE = (-2.2, 2.4)  # the vertical extent of the lanes, labels included


def lane(i: int) -> float:
    """Height of milestone ``i`` above (+) or below (-) the time axis: alternating sides, three heights, so
    milestones months apart do not print their names on top of each other."""
    return (1 if i % 2 == 0 else -1) * (1 + 0.35 * (i % 3))


def timeline_rows(milestones: list[tuple[str, str, str, str]]) -> list[dict]:
    """One record per milestone: ISO date (first of the month), the month as words (for the hover text, the
    same in every time zone), name, what it showed, field, lane, and the sentence a screen reader says for its
    point."""
    rows = []
    for i, (d, n, w, f) in enumerate(milestones):
        first = date.fromisoformat(f"{d}-01")
        rows.append(
            dict(
                date=first.isoformat(),
                month=f"{first:%b %Y}",
                name=n,
                what=w,
                field=f,
                lane=lane(i),
                spoken=f"{n}, {first:%B %Y}, {f}: {w}",
            )
        )
    return rows


def date_domain(milestones: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """The x range: from January of the first milestone's year to January after the last one's."""
    years = [int(d[:4]) for d, *_ in milestones]
    return f"{min(years)}-01-01", f"{max(years) + 1}-01-01"


def timeline_spec(milestones: list[tuple[str, str, str, str]]) -> dict:
    """A Vega-Lite (v6) spec: milestones as points on stems off a date axis, coloured by field, named beside.

    Every layer carries its own inline data, so Streamlit passes the spec to the browser as it is (top-level
    data would be converted to Arrow with pandas and pyarrow, a second of imports on a cold server). Dates are
    placed on a UTC scale and the hover text's month is written here: in local time a viewer west of Greenwich
    would read "May 2017" for June 2017 (the ISO date is midnight UTC, the evening before there).
    """
    rows = timeline_rows(milestones)
    x = {
        "field": "date",
        "type": "temporal",
        "title": X_TITLE,
        "scale": {"type": "utc", "domain": list(date_domain(milestones))},
        "axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": {"interval": "month", "step": 6}},
    }
    y = {"field": "lane", "type": "quantitative", "axis": None, "scale": {"domain": list(LANE_RANGE)}}
    colour = {
        "field": "field",
        "type": "nominal",
        "title": "Field",
        "scale": {"domain": list(FIELD_COLOURS), "range": list(FIELD_COLOURS.values())},
        "legend": {"orient": "top", "direction": "horizontal"},
    }
    tooltip = [
        {"field": "name", "type": "nominal", "title": "Milestone"},
        {"field": "month", "type": "nominal", "title": "Date"},
        {"field": "what", "type": "nominal", "title": "What it showed"},
    ]
    silent = {
        "aria": False
    }  # axis line, stems and names: a screen reader hears each milestone once, at its point
    return {
        "title": {"text": TITLE, "subtitle": SUBTITLE},
        "height": 360,
        "layer": [
            {
                "data": {"values": [{"lane": 0}]},
                "mark": {"type": "rule", "color": "#888888", "strokeWidth": 2, **silent},
                "encoding": {"y": y},
            },
            {
                "data": {"values": rows},
                "mark": {"type": "rule", "color": "#BBBBBB", **silent},
                "encoding": {"x": x, "y": y, "y2": {"datum": 0}},
            },
            *(name_layer(rows, x, y, tooltip, above) for above in (True, False)),
            # points last, drawn on top: where a name runs over a neighbour's point (narrow screens), the point
            # still takes the hover
            {
                "data": {"values": rows},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 260,
                    "opacity": 1,
                    "stroke": "white",
                    "strokeWidth": 1,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": colour,
                    "tooltip": tooltip,
                    "description": {"field": "spoken", "type": "nominal"},
                },
            },
        ],
    }


def name_layer(rows: list[dict], x: dict, y: dict, tooltip: list[dict], above: bool) -> dict:
    """Milestone names on the far side of their points from the axis (above the upper ones, below the lower)."""
    return {
        "data": {"values": [r for r in rows if (r["lane"] > 0) == above]},
        "mark": {
            "type": "text",
            "dy": -18 if above else 18,
            "fontSize": 13,
            "fontWeight": "bold",
            "aria": False,
        },
        "encoding": {"x": x, "y": y, "text": {"field": "name", "type": "nominal"}, "tooltip": tooltip},
    }


def _days(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


class TimelineLayout:
    """Where the PNG puts things: plot area in pixels and the date/lane -> pixel maps, for a 1600 x 760 slide
    (type sizes and margins are set for that size)."""

    width, height = 1600, 760

    def __init__(self, milestones):
        self.left, self.right, self.top, self.bottom = 60, self.width - 60, 150, self.height - 90
        self.domain = date_domain(milestones)
        self.start, self.end = (_days(iso) for iso in self.domain)

    def x(self, iso: str) -> float:
        return self.left + (self.right - self.left) * (_days(iso) - self.start) / (self.end - self.start)

    def y(self, lane_value: float) -> float:
        low, high = LANE_RANGE
        return self.bottom - (self.bottom - self.top) * (lane_value - low) / (high - low)


def timeline_png(milestones: list[tuple[str, str, str, str]]) -> bytes:
    """The timeline as a 1600 x 760 PNG (a slide): title, date axis with a tick every six months, stems,
    points coloured by field, names beside the points, a legend."""
    layout = TimelineLayout(milestones)
    width, height = layout.width, layout.height
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=26)
    large = ImageFont.load_default(size=40)
    small = ImageFont.load_default(size=22)
    draw.text((layout.left, 24), TITLE, fill="#1B1F24", font=large)
    draw.text(
        (layout.left, 76),
        "Milestones as points on a date axis, above and below it in turns; colour = field",
        fill="#555555",
        font=small,
    )

    axis_y = layout.y(0)
    draw.line([(layout.left, axis_y), (layout.right, axis_y)], fill="#888888", width=4)
    first, last = (int(iso[:4]) for iso in layout.domain)
    for year in range(first, last + 1):
        for month in (1, 7):
            iso = f"{year}-{month:02d}-01"
            if not layout.start <= _days(iso) <= layout.end:
                continue
            tick_x = layout.x(iso)
            draw.line([(tick_x, layout.bottom), (tick_x, layout.bottom + 10)], fill="#555555", width=2)
            draw.text(
                (tick_x, layout.bottom + 14),
                date.fromisoformat(iso).strftime("%b %Y"),
                fill="#333333",
                font=small,
                anchor="ma",
            )
    draw.line([(layout.left, layout.bottom), (layout.right, layout.bottom)], fill="#555555", width=2)
    draw.text(
        ((layout.left + layout.right) / 2, height - 36), X_TITLE, fill="#1B1F24", font=font, anchor="ma"
    )

    radius = 12
    for row in timeline_rows(milestones):
        px, py = layout.x(row["date"]), layout.y(row["lane"])
        draw.line([(px, axis_y), (px, py)], fill="#BBBBBB", width=2)
        draw.ellipse(
            [px - radius, py - radius, px + radius, py + radius],
            fill=FIELD_COLOURS[row["field"]],
            outline="white",
            width=2,
        )
        above = row["lane"] > 0  # names sit on the far side of the point from the axis, clear of the stem
        draw.text(
            (px, py - radius - 6 if above else py + radius + 6),
            row["name"],
            fill="#1B1F24",
            font=font,
            anchor="md" if above else "ma",
        )

    legend_x = layout.right - 260
    for k, (field, colour) in enumerate(FIELD_COLOURS.items()):
        cy = 40 + 34 * k
        draw.ellipse([legend_x, cy - 10, legend_x + 20, cy + 10], fill=colour)
        draw.text((legend_x + 32, cy), field, fill="#1B1F24", font=small, anchor="lm")

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
