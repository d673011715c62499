"""Charts drawn on the server as inline SVG: no script, no CDN, nothing the CSP must allow
(colours come from dashboard.css classes, not style attributes). Each chart has a title and
a description for screen readers; the page shows the same numbers in a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
FONT = 16  # in viewBox units: about 11 px on a 412 px phone, 16 px on a desktop


@dataclass(frozen=True)
class Column:
    label: str  # under the column ("03/11")
    parts: tuple[int, ...]  # stacked from the bottom, one class per part
    alt: str  # the column's numbers in words, for the description


def _svg(height: int, title: str, desc: str, body: list[str], chart_id: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def columns(
    data: Sequence[Column], title: str, chart_id: str, part_classes: Sequence[str]
) -> Markup:
    """Stacked columns per period (conversations kept by the bot / handed to a person)."""
    height, top, bottom, left = 260, 24, 40, 44
    plot = height - top - bottom
    peak = max([sum(c.parts) for c in data] + [1])
    step = (WIDTH - left - 8) / max(len(data), 1)
    bar = max(2.0, step * 0.7)
    body = [
        f'<line class="axis" x1="{left}" y1="{top + plot}" x2="{WIDTH - 4}" y2="{top + plot}"/>',
        f'<text class="tick" x="{left - 6}" y="{top + FONT / 2}" text-anchor="end" '
        f'font-size="{FONT}">{peak}</text>',
        f'<text class="tick" x="{left - 6}" y="{top + plot}" text-anchor="end" '
        f'font-size="{FONT}">0</text>',
    ]
    every = max(1, round(len(data) / 8))  # at most about 8 labels under the axis
    for index, column in enumerate(data):
        x = left + index * step + (step - bar) / 2
        y = float(top + plot)
        for part, css in zip(column.parts, part_classes, strict=True):
            h = plot * part / peak
            y -= h
            if h > 0:
                body.append(
                    f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                    f'height="{h:.1f}"><title>{escape(column.alt)}</title></rect>'
                )
        if index % every == 0:
            body.append(
                f'<text class="tick" x="{x + bar / 2:.1f}" y="{height - 14}" '
                f'text-anchor="middle" font-size="{FONT}">{escape(column.label)}</text>'
            )
    desc = "; ".join(f"{c.label} : {c.alt}" for c in data) or "aucune donnée"
    return _svg(height, title, desc, body, chart_id)


def hbars(items: Sequence[tuple[str, int, str]], title: str, chart_id: str) -> Markup:
    """Horizontal bars, the label above each bar and its value after it (long French labels
    stay readable on a phone)."""
    font = FONT + 4  # these charts sit in half-width cards on a desktop
    row = 2 * font + 14
    height = max(row * len(items), row) + 8
    peak = max([value for _, value, _ in items] + [1])
    room = WIDTH - 120
    body = []
    for index, (label, value, text) in enumerate(items):
        y = index * row + font + 2
        width = room * value / peak
        body.append(f'<text class="label" x="0" y="{y}" font-size="{font}">{escape(label)}</text>')
        if width > 0:
            body.append(
                f'<rect class="bar" x="0" y="{y + 5}" width="{width:.1f}" height="{font}"/>'
            )
        body.append(
            f'<text class="value" x="{width + 6:.1f}" y="{y + 5 + font - 3}" '
            f'font-size="{font}">{escape(text)}</text>'
        )
    desc = "; ".join(f"{label} : {text}" for label, _, text in items) or "aucune donnée"
    return _svg(height, title, desc, body, chart_id)
