"""The report's charts drawn as inline SVG text: bars, lines, a stacked bar, heat maps.

Pure: standard library only, no I/O, no clock. Every text that reaches the
SVG (labels, titles, values) is escaped here, so a shopper's words cannot
close the picture or add to the page. Charts size themselves by `viewBox`
and stretch to the page width, on screen and on paper alike; each carries a
<title> so a screen reader names it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import escape

# Colours kept distinct for colour-blind readers (blue / orange / purple), and
# named here because the report's tests look for them on the screenshot.
BAR = "#2f6db5"
SECOND = "#f08c2e"
THIRD = "#7b4fa3"
LINE = "#2f6db5"
AXIS = "#555555"
GRID = "#dddddd"
INK = "#222222"
FACE_COLOURS = ("#c8372d", "#f0a04b", "#8cc084", "#2e8b57")  # very unhappy … very happy
EMPTY_CELL = "#ffffff"
EMPTY_MARK = "#b0b0b0"

Format = Callable[[float], str]


@dataclass(frozen=True)
class ColourScale:
    """Colours from `low` to `high` through evenly spaced stops (hex)."""

    low: float
    high: float
    stops: tuple[str, ...]

    def colour(self, value: float) -> str:
        span = self.high - self.low
        share = 0.0 if span <= 0 else min(1.0, max(0.0, (value - self.low) / span))
        place = share * (len(self.stops) - 1)
        index = min(int(place), len(self.stops) - 2)
        return _mix(self.stops[index], self.stops[index + 1], place - index)


# Volume: light to dark blue. Service level: red (few claimed in time) through
# yellow to blue (all in time), a scale readers with red-green blindness tell apart.
VOLUME_STOPS = ("#eef4fb", "#9ecae1", "#4292c6", "#08306b")
SERVICE_STOPS = ("#d7301f", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _mix(first: str, second: str, share: float) -> str:
    a, b = _rgb(first), _rgb(second)
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on `colour`."""
    red, green, blue = _rgb(colour)
    return INK if 0.299 * red + 0.587 * green + 0.114 * blue > 140 else "#ffffff"


def _text(
    x: float, y: float, text: str, *, size: int = 12, anchor: str = "middle", fill: str = INK, extra: str = ""
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


def _svg(name: str, title: str, width: int, height: int, body: list[str], *, grow: bool = True) -> str:
    # role=img + <title>: the picture has a name; data-chart lets tests find it. Inline in HTML, an
    # <svg> needs no xmlns (and the page then names no address at all). `grow=False`: never drawn wider
    # than its own width (a heat map of a few cells would otherwise be blown up to the page's width).
    style = "" if grow else f' style="max-width:{width}px"'
    return (
        f'<svg class="chart" data-chart="{escape(name)}" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"{style} '
        f'font-family="DejaVu Sans, Arial, sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


# The steps an axis may take. Counts go in whole steps (a tenth of a request is no tick);
# waits in steps a clock reads (15 s, 30 s, 1 min, 5 min, …); other figures in 1, 2 or 5 × a power of ten.
COUNT = "count"
SECONDS = "seconds"
NUMBER = "number"
_SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
_MOST_STEPS = 6


def _steps(unit: str) -> Iterator[float]:
    """The axis's possible steps for `unit`, smallest first, without end."""
    if unit == SECONDS:
        yield from (float(step) for step in _SECOND_STEPS)
        power = 86400.0
    else:
        power = 1.0 if unit == COUNT else 1e-6
    while True:
        for factor in (1, 2, 5):
            yield power * factor
        power *= 10


def _axis(largest: float, top: float | None = None, unit: str = NUMBER) -> list[float]:
    """The axis's ticks from 0: at most six equal steps of `unit`'s kind, the last at or above `largest`.

    With `top` (a fixed scale such as 0–100 %) four quarters of it.
    """
    if top is not None:
        return [top * i / 4 for i in range(5)]
    if largest <= 0:
        return [0.0, 1.0]
    step = next(s for s in _steps(unit) if largest / s <= _MOST_STEPS + 1e-9)
    count = max(1, math.ceil(largest / step - 1e-9))
    return [round(step * i, 9) for i in range(count + 1)]


def bar_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    fmt: Format,
    *,
    colour: str = BAR,
    width: int = 720,
    height: int = 240,
    top: float | None = None,
    unit: str = NUMBER,
) -> str:
    """Upright bars, one per label; a missing value (None) leaves its place empty.

    Up to twelve bars each carry their value above them; the plot then starts
    lower, so that the tallest bar's value stays clear of the title.
    """
    labelled = len(labels) <= 12
    left, right, above, below = 48, 8, 36 if labelled else 22, 36
    plot_w, plot_h = width - left - right, height - above - below
    ticks = _axis(max((v for v in values if v is not None), default=0.0), top, unit)
    top = ticks[-1]
    body = [_text(left, 14, title, size=13, anchor="start", extra=' font-weight="bold"')]
    for tick in ticks:
        y = above + plot_h - plot_h * tick / top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, fmt(tick), size=10, anchor="end", fill=AXIS))
    slot = plot_w / max(1, len(labels))
    every = 1 if len(labels) <= 12 else 2  # hour labels every other hour: 24 fit no other way
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot
        if value is not None and value > 0:
            bar_h = plot_h * min(value, top) / top
            body.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{above + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{bar_h:.1f}" fill="{colour}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
            )
            if labelled:
                body.append(_text(x + slot / 2, above + plot_h - bar_h - 4, fmt(value), size=10))
        if i % every == 0:
            body.append(_text(x + slot / 2, height - below + 14, label, size=10, fill=AXIS))
    body.append(f'<line x1="{left}" y1="{above + plot_h}" x2="{width - right}" y2="{above + plot_h}" stroke="{AXIS}"/>')
    return _svg(name, title, width, height, body)


def grouped_bars(
    name: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    fmt: Format,
    *,
    width: int = 720,
    top: float | None = None,
    none_text: str = "–",
    unit: str = NUMBER,
    axis_fmt: Format | None = None,
) -> str:
    """Sideways bars: for each category one bar per series (name, colour, values), with a key.

    `axis_fmt` writes the axis's ticks (`fmt` the bars' values) when they read better shorter.
    """
    left = max(100, round(7.2 * max((len(c) for c in categories), default=0)) + 16)
    right, above = 90, 44
    bar_h, gap = 16, 14
    group_h = bar_h * len(series) + gap
    height = above + group_h * len(categories) + 24  # the axis's values under the bars
    plot_w = width - left - right
    ticks = _axis(max((v for _, _, vals in series for v in vals if v is not None), default=0.0), top, unit)
    top = ticks[-1]
    body = [_text(8, 14, title, size=13, anchor="start", extra=' font-weight="bold"')]
    x = left
    for label, colour, _ in series:  # the key, on one line under the title
        body.append(f'<rect x="{x}" y="22" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, 32, label, size=11, anchor="start"))
        x += 24 + 7 * len(label)
    for tick in ticks:
        tx = left + plot_w * tick / top
        body.append(f'<line x1="{tx:.1f}" y1="{above - 4}" x2="{tx:.1f}" y2="{height - 22}" stroke="{GRID}"/>')
        body.append(_text(tx, height - 8, (axis_fmt or fmt)(tick), size=10, fill=AXIS))
    for c, category in enumerate(categories):
        y0 = above + c * group_h
        body.append(_text(left - 8, y0 + group_h / 2, category, size=12, anchor="end"))
        for s, (label, colour, values) in enumerate(series):
            value = values[c]
            y = y0 + s * bar_h
            if value is None:
                body.append(_text(left + 4, y + bar_h - 4, none_text, size=10, anchor="start", fill=AXIS))
                continue
            length = plot_w * min(value, top) / top
            body.append(
                f'<rect x="{left}" y="{y:.1f}" width="{length:.1f}" height="{bar_h - 2}" fill="{colour}">'
                f"<title>{escape(category)}, {escape(label)}: {escape(fmt(value))}</title></rect>"
            )
            body.append(_text(left + length + 4, y + bar_h - 5, fmt(value), size=10, anchor="start"))
    body.append(f'<line x1="{left}" y1="{above - 4}" x2="{left}" y2="{height - 22}" stroke="{AXIS}"/>')
    return _svg(name, title, width, height, body)


def line_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    fmt: Format,
    *,
    top: float = 100.0,
    width: int = 720,
    height: int = 240,
) -> str:
    """A line through the values, broken where one is missing (None); a dot on each."""
    left, right, above, below = 48, 12, 22, 36
    plot_w, plot_h = width - left - right, height - above - below
    body = [_text(left, 14, title, size=13, anchor="start", extra=' font-weight="bold"')]
    for tick in _axis(top, top):
        y = above + plot_h - plot_h * tick / top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, fmt(tick), size=10, anchor="end", fill=AXIS))
    count = len(labels)
    step = plot_w / max(1, count - 1) if count > 1 else 0.0
    every = max(1, -(-count // 12))  # at most about twelve labels under the axis

    def place(i: int, value: float) -> tuple[float, float]:
        x = left + (i * step if count > 1 else plot_w / 2)
        return x, above + plot_h - plot_h * min(max(value, 0.0), top) / top

    run: list[str] = []
    runs: list[list[str]] = []
    for i, value in enumerate(values):
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        x, y = place(i, value)
        run.append(f"{x:.1f},{y:.1f}")
    if run:
        runs.append(run)
    for points in runs:
        if len(points) > 1:
            body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        if value is not None:
            x, y = place(i, value)
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}">'
                f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
            )
        if i % every == 0:
            x, _ = place(i, 0.0)
            body.append(_text(x, height - below + 14, label, size=10, fill=AXIS))
    body.append(f'<line x1="{left}" y1="{above + plot_h}" x2="{width - right}" y2="{above + plot_h}" stroke="{AXIS}"/>')
    return _svg(name, title, width, height, body)


def stacked_bar(name: str, title: str, parts: Sequence[tuple[str, str, int]], *, width: int = 720) -> str:
    """One bar split by share (key text, colour, count); the key under it says each part in words."""
    height, left, right, y, bar_h = 96, 8, 8, 24, 28
    total = sum(count for _, _, count in parts)
    body = [_text(left, 14, title, size=13, anchor="start", extra=' font-weight="bold"')]
    plot_w = width - left - right
    x = float(left)
    if total == 0:
        body.append(f'<rect x="{left}" y="{y}" width="{plot_w}" height="{bar_h}" fill="{EMPTY_CELL}" stroke="{GRID}"/>')
    for label, colour, count in parts:
        share = count / total if total else 0.0
        length = plot_w * share
        if length > 0:
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(label)}: {count}</title></rect>"
            )
            if length > 34:
                body.append(_text(x + length / 2, y + 19, f"{share * 100:.0f}%", size=12, fill=ink_on(colour)))
        x += length
    slot = plot_w / max(1, len(parts))
    for i, (label, colour, _) in enumerate(parts):  # the key says it in words, not only colour
        kx = left + i * slot
        body.append(f'<rect x="{kx:.1f}" y="{y + bar_h + 14}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(kx + 16, y + bar_h + 24, label, size=11, anchor="start"))
    return _svg(name, title, width, height, body)


def heat_map(
    name: str,
    title: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    scale: ColourScale,
    fmt: Format,
    *,
    legend_low: str,
    legend_high: str,
    empty_text: str,
) -> str:
    """A grid of cells coloured by value, each value written in its cell, with a legend.

    An empty cell (None: nothing happened then) is white with a grey stroke
    across it, so it never reads as a low value. A map of few columns is as
    wide as its title and legend need, and drawn no wider.
    """
    cell_w, cell_h, left, above = 30, 24, 44, 40
    columns = len(column_labels)
    grid_bottom = above + cell_h * len(row_labels)
    legend, legend_end = _legend(left, grid_bottom + 14, scale, legend_low, legend_high, empty_text)
    width = max(left + cell_w * columns + 8, legend_end + 8, round(8 + 8 * len(title)))
    height = grid_bottom + 56
    body = [_text(8, 14, title, size=13, anchor="start", extra=' font-weight="bold"')]
    for c, label in enumerate(column_labels):
        body.append(_text(left + c * cell_w + cell_w / 2, above - 6, label, size=10, fill=AXIS))
    for r, label in enumerate(row_labels):
        y = above + r * cell_h
        body.append(_text(left - 6, y + cell_h / 2 + 4, label, size=11, anchor="end"))
        for c in range(columns):
            x = left + c * cell_w
            value = values[r][c]
            if value is None:
                body.append(
                    f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{EMPTY_CELL}" stroke="{GRID}"/>'
                    f'<line x1="{x + 6}" y1="{y + cell_h - 6}" x2="{x + cell_w - 6}" y2="{y + 6}" '
                    f'stroke="{EMPTY_MARK}" stroke-width="1.5"/>'
                )
                continue
            colour = scale.colour(value)
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{colour}" stroke="#ffffff">'
                f"<title>{escape(label)} {escape(column_labels[c])}: {escape(fmt(value))}</title></rect>"
            )
            body.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, fmt(value), size=10, fill=ink_on(colour)))
    body.extend(legend)
    return _svg(name, title, width, height, body, grow=False)


def _legend(x: int, y: int, scale: ColourScale, low: str, high: str, empty_text: str) -> tuple[list[str], int]:
    """The legend's parts and about where its last word ends."""
    steps, step_w = 20, 12
    parts = [_text(x, y + 12, low, size=11, anchor="start")]
    start = x + 8 + 7 * len(low)
    for i in range(steps):
        value = scale.low + (scale.high - scale.low) * i / (steps - 1)
        parts.append(
            f'<rect x="{start + i * step_w}" y="{y}" width="{step_w}" height="16" fill="{scale.colour(value)}"/>'
        )
    end = start + steps * step_w
    parts.append(_text(end + 6, y + 12, high, size=11, anchor="start"))
    empty_x = end + 20 + 7 * len(high)
    parts.append(
        f'<rect x="{empty_x}" y="{y}" width="24" height="16" fill="{EMPTY_CELL}" stroke="{GRID}"/>'
        f'<line x1="{empty_x + 5}" y1="{y + 13}" x2="{empty_x + 19}" y2="{y + 3}" stroke="{EMPTY_MARK}" '
        f'stroke-width="1.5"/>'
    )
    parts.append(_text(empty_x + 30, y + 12, empty_text, size=11, anchor="start"))
    return parts, round(empty_x + 30 + 7 * len(empty_text))
