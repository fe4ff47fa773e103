"""Rate charts as inline SVG: no JavaScript, no external file, readable when the HTML is printed or archived
with a filing."""

from __future__ import annotations

from html import escape

from aibeian.reports._document import BarChart

_COLOURS = {True: "#2e7d32", False: "#c62828", None: "#607d8b"}


def bar_chart_svg(chart: BarChart, *, width: int = 640) -> str:
    """Horizontal bars from 0 to 100 %, 95 % interval whiskers, and a dashed threshold mark per bar."""
    label_w, row_h, top = 230, 34, 30
    plot_w = width - label_w - 60
    height = top + row_h * len(chart.bars) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(chart.title)}" font-family="sans-serif" font-size="12">',
        f'<text x="0" y="16" font-weight="bold">{escape(chart.title)}</text>',
    ]
    for tick in range(0, 101, 25):
        x = label_w + plot_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 26}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" fill="#666">{tick}%</text>')
    for i, bar in enumerate(chart.bars):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(bar.label)}</text>')
        if bar.value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 17}" fill="#999">n = 0</text>')
            continue
        w = plot_w * bar.value
        parts.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{w:.1f}" height="16" fill="{_COLOURS[bar.ok]}" opacity="0.85"/>'
        )
        if bar.low is not None and bar.high is not None:
            x1, x2 = label_w + plot_w * bar.low, label_w + plot_w * bar.high
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y + 14}" x2="{x2:.1f}" y2="{y + 14}" stroke="#000" stroke-width="1.5"/>'
            )
            for x in (x1, x2):
                parts.append(
                    f'<line x1="{x:.1f}" y1="{y + 9}" x2="{x:.1f}" y2="{y + 19}" stroke="#000" stroke-width="1.5"/>'
                )
        if bar.threshold is not None:
            xt = label_w + plot_w * bar.threshold
            parts.append(
                f'<line x1="{xt:.1f}" y1="{y + 2}" x2="{xt:.1f}" y2="{y + 26}" stroke="#ff8f00" stroke-width="2" stroke-dasharray="4 2"/>'
            )
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 17}">{bar.value:.1%}</text>')
    parts.append("</svg>")
    return "".join(parts)
