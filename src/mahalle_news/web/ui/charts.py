"""Charts drawn on the server as inline SVG: no JavaScript, readable right to left, with Persian digits.

Every chart is an ``<svg role="img">`` with a title and a description; each bar carries its own ``<title>``
(a tooltip) and the pages print the same numbers in a table beside it, for screen readers and for copying.
Bars grow from the right (where a Persian reader starts) and time runs from right to left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from mahalle_news.web.ui.format import fa_number

#: Fill colours with at least 3:1 contrast against the white page (WCAG 1.4.11 for graphics).
BAR_FILL = "#1f5f8b"
ACCENT_FILL = "#a4441b"
GRID = "#767676"
INK = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and the text shown for the value (Persian digits)."""

    label: str
    value: float
    text: str = ""
    href: str | None = None

    @property
    def shown(self) -> str:
        return self.text or fa_number(self.value)


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    tid, did = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{tid} {did}" direction="rtl" '
        f'font-family="Vazirmatn, Tahoma, sans-serif">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: int = 720,
    label_width: int = 190,
    row: int = 26,
) -> Markup:
    """Horizontal bars, labels on the right, bars growing leftwards from them; the value at each bar's end.
    ``chart_id`` prefixes the ids of the chart's title and description: unique within its page."""
    top, bottom = 8, 8
    height = top + bottom + row * max(1, len(bars))
    head, tail = _svg_open(chart_id, width, height, title, desc)
    parts = [head]
    if not bars:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2 + 5:.0f}" text-anchor="middle" fill="{INK}">')
        parts.append("داده‌ای نیست</text>")
        return Markup("".join([*parts, tail]))
    biggest = max(b.value for b in bars) or 1.0
    value_room = 110  # room left of the longest bar for its value
    bar_right = width - label_width - 10
    span = bar_right - value_room
    for i, bar in enumerate(bars):
        y = top + i * row
        length = max(2.0, span * bar.value / biggest) if bar.value > 0 else 0.0
        x = bar_right - length
        label = escape(bar.label)
        parts.append(f"<g><title>{label}: {escape(bar.shown)}</title>")
        if bar.href:
            parts.append(f'<a href="{escape(bar.href)}">')
        parts.append(
            f'<text x="{width - 4}" y="{y + row * 0.66:.1f}" text-anchor="start" fill="{INK}" '
            f'font-size="14">{label}</text>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="{row - 8}" fill="{BAR_FILL}" rx="2"/>'
        )
        if bar.href:
            parts.append("</a>")
        parts.append(
            f'<text x="{x - 6:.1f}" y="{y + row * 0.66:.1f}" text-anchor="start" fill="{INK}" '
            f'font-size="13">{escape(bar.shown)}</text></g>'
        )
    parts.append(
        f'<line x1="{bar_right}" y1="{top}" x2="{bar_right}" y2="{height - bottom}" stroke="{GRID}" stroke-width="1"/>'
    )
    parts.append(tail)
    return Markup("".join(parts))


def column_chart(
    columns: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: int = 480,
    height: int = 170,
    label_every: int = 0,
) -> Markup:
    """Vertical columns in time order, the first at the right (time runs right to left), a label under every
    ``label_every``-th column (0: chosen to fit), the largest value marked on a grid line. ``chart_id`` as for
    :func:`bar_chart`."""
    left, right, top, bottom = 44, 36, 14, 40
    head, tail = _svg_open(chart_id, width, height, title, desc)
    parts = [head]
    plot_w, plot_h = width - left - right, height - top - bottom
    if not columns:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{INK}">')
        parts.append("داده‌ای نیست</text>")
        return Markup("".join([*parts, tail]))
    biggest = max(c.value for c in columns) or 1.0
    slot = plot_w / len(columns)
    every = label_every or max(1, -(-len(columns) * 90 // plot_w))
    base = top + plot_h
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{width - right}" y2="{top}" stroke="{GRID}" stroke-dasharray="3 3"/>'
        f'<text x="{left - 4}" y="{top + 5}" text-anchor="end" direction="ltr" font-size="13" fill="{INK}">'
        f"{escape(fa_number(biggest))}</text>"
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{GRID}"/>'
    )
    for i, col in enumerate(columns):
        centre = width - right - slot * (i + 0.5)
        h = plot_h * col.value / biggest if col.value > 0 else 0.0
        w = max(2.0, min(28.0, slot * 0.7))
        parts.append(f"<g><title>{escape(col.label)}: {escape(col.shown)}</title>")
        parts.append(
            f'<rect x="{centre - w / 2:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{ACCENT_FILL}" rx="1"/>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{centre:.1f}" y="{base + 18}" text-anchor="middle" font-size="13" fill="{INK}">'
                f"{escape(col.label)}</text>"
            )
        parts.append("</g>")
    parts.append(tail)
    return Markup("".join(parts))
