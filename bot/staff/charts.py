"""Small server-rendered SVG charts (no JavaScript, no CDN), each with its numbers as a table."""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

# Colour-blind-safe (Okabe-Ito), in order of use.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _nice_max(value: float) -> float:
    """A round top for the axis, at or above `value`, that divides into four gridlines."""
    if value <= 4:
        return 4
    magnitude = 10 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 4, 5, 8, 10) if value <= m * magnitude)


def bars(
    title: str,
    labels: list[str],
    series: dict[str, list[float]],
    stacked: bool = True,
    unit: str = "",
    width: int = 720,
    height: int = 260,
) -> Markup:
    """A bar chart: one bar (stacked) or a group of bars per label, one colour per series."""
    left, right, top, bottom = 48, 12, 12, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    names = list(series)
    totals = [
        sum(series[n][i] for n in names) if stacked else max([series[n][i] for n in names] or [0])
        for i in range(len(labels))
    ]
    top_value = _nice_max(max(totals or [0]))
    slot = plot_w / max(1, len(labels))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for step in range(5):
        value = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{shown}{escape(unit)}</text>'
        )
    for i, label in enumerate(labels):
        x0 = left + i * slot
        base = top + plot_h
        inner = slot * 0.7
        for k, name in enumerate(names):
            value = series[name][i]
            if value <= 0:
                continue
            h = plot_h * value / top_value
            colour = PALETTE[k % len(PALETTE)]
            tip = f"{label}, {name}: {value:g}{unit}"
            if stacked:
                x, w = x0 + slot * 0.15, inner
                base -= h
                y = base
            else:
                w = inner / max(1, len(names))
                x, y = x0 + slot * 0.15 + k * w, top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + slot / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="axis">'
            f"{escape(label)}</text>"
        )
    for k, name in enumerate(names):
        x = left + (k % 4) * (plot_w / 4)
        y = height - 22 + (k // 4) * 14
        parts.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="{y}" class="legend">{escape(name)}</text>')
    if not any(v > 0 for values in series.values() for v in values):
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" class="legend">'
            "No data for this period yet</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and name above is escaped
