"""Server-rendered SVG charts: no JavaScript, no chart library, readable by screen readers.

Each chart is an <svg role="img"> with a <title> and a <desc>, and each bar carries its own
<title> (shown as a tooltip) so the numbers are reachable without seeing the picture. Sizes
are SVG attributes, not inline styles, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import count

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)


def _n(x: float) -> str:
    """An SVG coordinate: always with a dot, never the page's decimal comma."""
    return f"{x:.1f}"


def number(value: float, decimals: int | None = None) -> str:
    """A figure as the page's language writes it (`0,09` in Ukrainian, `0.09` in English)."""
    return number_format(value, decimals)


def _linked(part: SafeString, href: str | None) -> SafeString:
    """`part` (a bar and its label, never the printed value) as a drill-down link when `href` is given.

    The link's name is its visible label, so what a screen reader announces is what is seen."""
    if not href:
        return part
    return format_html('<a href="{}">{}</a>', href, part)


def _frame(width: int, height: int, title: str, desc: str, body: list[str], *, linked: bool = False) -> SafeString:
    uid = f"chart{next(_ids)}"
    # width/height give the natural size (12px text); CSS only ever scales it down on narrow screens.
    # An image's content is presentational, so a chart with links is a group instead (its links stay reachable).
    head = format_html(
        '<svg class="chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="{role}" '
        'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>',
        w=width,
        h=height,
        role="group" if linked else "img",
        uid=uid,
        title=title,
        desc=desc,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every part is escaped above


def hbars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    decimals: int | None = None,
    width: int = 640,
    label_width: int = 250,
    bar_height: int = 22,
    css_class: str = "bar",
    max_value: float | None = None,
    links: Sequence[str | None] | None = None,
    log_scale: bool = False,
) -> SafeString:
    """Horizontal bars, one per (label, value); each a link when `links` gives it an address.

    `log_scale` draws lengths by log10(1 + value), so 5 beside 500 is still a visible bar; the
    printed numbers stay exact.
    """
    gap = 8
    top = 6
    height = top + len(rows) * (bar_height + gap) + 4
    biggest = max_value if max_value else max([v for _, v in rows] + [0]) or 1
    track = width - label_width - 70
    body = []
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_height + gap)
        if log_scale:
            w = track * math.log10(1 + max(value, 0)) / math.log10(1 + biggest)
        else:
            w = max(0.0, track * (value / biggest)) if biggest else 0
        text = number(value, decimals)
        href = links[i] if links else None
        bar = format_html(
            '<text x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>',
            label_width - 8,
            _n(y + bar_height * 0.7),
            label,
            css_class,
            label_width,
            y,
            _n(w),
            bar_height,
        )
        body.append(
            format_html(
                '<g><title>{}: {}</title>{}<text x="{}" y="{}">{}</text></g>',
                label,
                text,
                _linked(bar, href),
                _n(label_width + w + 6),
                _n(y + bar_height * 0.7),
                text,
            )
        )
    desc = "; ".join(f"{label}: {number(v, decimals)}" for label, v in rows)
    return _frame(width, height, title, desc, body, linked=bool(links))


def paired_hbars(
    rows: Sequence[tuple[str, float, float]],
    *,
    title: str,
    series: tuple[str, str],
    width: int = 640,
    label_width: int = 250,
    links: Sequence[str | None] | None = None,
) -> SafeString:
    """Two bars per label (e.g. Ukrainian needs against partner offers); the label a link by `links`."""
    bar = 12
    group = bar * 2 + 10
    top = 6
    height = top + len(rows) * group + 4
    biggest = max([max(a, b) for _, a, b in rows] + [0]) or 1
    track = width - label_width - 60
    body = []
    for i, (label, a, b) in enumerate(rows):
        y = top + i * group
        href = links[i] if links else None
        text = format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', label_width - 8, y + bar + 4, label)
        body.append(_linked(text, href))
        for j, (value, css, name) in enumerate(((a, "bar", series[0]), (b, "bar-alt", series[1]))):
            yy = y + j * (bar + 2)
            w = track * value / biggest
            body.append(
                format_html(
                    '<g><title>{} · {}: {}</title><rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
                    '<text x="{}" y="{}">{}</text></g>',
                    label,
                    name,
                    number(value),
                    css,
                    label_width,
                    yy,
                    _n(w),
                    bar,
                    _n(label_width + w + 5),
                    yy + bar - 2,
                    number(value),
                )
            )
    desc = "; ".join(f"{label}: {series[0]} {number(a)}, {series[1]} {number(b)}" for label, a, b in rows)
    return _frame(width, height, title, desc, body, linked=bool(links))


def histogram(
    buckets: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
    links: Sequence[str | None] | None = None,
) -> SafeString:
    """Vertical bars over ordered buckets (e.g. score deciles); each a link when `links` gives it one."""
    bottom = 28
    top = 18
    n = max(len(buckets), 1)
    slot = (width - 20) / n
    biggest = max([v for _, v in buckets] + [0]) or 1
    body = [
        format_html(
            '<line class="axis" x1="10" y1="{}" x2="{}" y2="{}"></line>', height - bottom, width - 10, height - bottom
        )
    ]
    for i, (label, value) in enumerate(buckets):
        h = (height - bottom - top) * value / biggest
        x = 10 + i * slot + 3
        href = links[i] if links else None
        bar = format_html(
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}" rx="2"></rect>'
            '<text x="{}" y="{}" text-anchor="middle">{}</text>',
            _n(x),
            _n(height - bottom - h),
            _n(slot - 6),
            _n(h),
            _n(x + (slot - 6) / 2),
            height - 10,
            label,
        )
        body.append(
            format_html(
                '<g><title>{}: {}</title>{}<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
                label,
                number(value),
                _linked(bar, href),
                _n(x + (slot - 6) / 2),
                _n(height - bottom - h - 4),
                number(value),
            )
        )
    desc = "; ".join(f"{label}: {number(v)}" for label, v in buckets)
    return _frame(width, height, title, desc, body, linked=bool(links))
