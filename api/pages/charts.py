"""A feed's trend as a small server-rendered SVG line chart: records per run (harvested,
published, quarantined, withdrawn), oldest run on the left. No JavaScript; the chart has a
title and a description for screen readers, and the runs table beside it holds the figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

SERIES = (  # key, colour (contrast ≥ 3:1 on white), dash
    ("harvested", "#1d4e89", ""),
    ("published", "#0b6e4f", ""),
    ("quarantined", "#b3261e", "6 3"),
    ("withdrawn", "#6b4c9a", "2 3"),
)
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 220, 44, 12, 12, 36


def trend_svg(runs: list[dict[str, Any]], t: Callable[..., str]) -> Markup:
    """The chart of ``runs`` (newest first, as the state lists them); empty without runs."""
    runs = [r for r in reversed(runs) if r.get("status") != "skipped"][-20:]
    if not runs:
        return Markup("")
    top = max([max(int(r.get(key) or 0) for key, _, _ in SERIES) for r in runs] + [1])
    step = (WIDTH - LEFT - RIGHT) / max(len(runs) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(runs) > 1 else (WIDTH - LEFT - RIGHT) / 2)

    def y(value: int) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)

    parts = [f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="trend-title trend-desc" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="trend-title">{escape(t("feed.trend"))}</title>',
             f'<desc id="trend-desc">{escape(t("feed.trend_desc"))}</desc>']
    for fraction in (0, 0.5, 1):
        value = round(top * fraction)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value}</text>')
    for i, run in enumerate(runs):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">#{run["id"]}</text>')
    for key, colour, dash in SERIES:
        points = " ".join(f"{x(i):.1f},{y(int(r.get(key) or 0)):.1f}" for i, r in enumerate(runs))
        style = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{style}/>')
        for i, r in enumerate(runs):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(int(r.get(key) or 0)):.1f}" r="3" fill="{colour}">'
                         f'<title>#{r["id"]} {escape(t("feed." + key))}: {int(r.get(key) or 0)}</title></circle>')
    parts.append("</svg>")
    legend = "".join(f'<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" '
                     f'fill="{colour}"/></svg>{escape(t("feed." + key))}</li>' for key, colour, _ in SERIES)
    return Markup("".join(parts) + f'<ul class="legend">{legend}</ul>')
