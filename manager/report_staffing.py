"""The report's staffing picture: heat maps of requests and of service level by weekday and hour.

Pure: standard library only, no I/O, no clock. A range of a week or more
shows every weekday and hour; a shorter one only its own weekdays and the
hours from its first request to its last, and says so under the maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from html import escape

from core.figures import Figures
from manager import charts
from manager.report_sections import SectionWriter


def staffing(page: SectionWriter, figures: Figures) -> str:
    """The staffing section: the heat maps of volume and of service level by weekday and hour."""
    w = page.w
    rows, columns = _heat_shown(figures)
    keys = ("heat_volume", "heat_service_level")
    if not columns:
        return page.section("staffing", w["staffing"], f"<p>{escape(w['heat_nothing'])}</p>", keys)
    volume = [[figures.heat_volume.values[r][c] for c in columns] for r in rows]
    level = [[figures.heat_service_level.values[r][c] for c in columns] for r in rows]
    weekdays = [page.weekdays[r] for r in rows]
    hours = [f"{h:02d}" for h in columns]
    largest = max((v for row in volume for v in row if v), default=0.0)
    body = charts.heat_map(
        "heat-volume",
        w["heat_volume"],
        weekdays,
        hours,
        _blank_zero(volume),
        charts.ColourScale(0.0, max(1.0, largest), charts.VOLUME_STOPS),
        page.count,
        legend_low=f"{w['fewer']} (1)",
        legend_high=f"{w['more']} ({page.count(largest)})",
        empty_text=w["no_requests"],
    )
    body += charts.heat_map(
        "heat-service-level",
        w["heat_level"],
        weekdays,
        hours,
        level,
        charts.ColourScale(0.0, 100.0, charts.SERVICE_STOPS),
        lambda v: page.number(v),
        legend_low=w["low_level"],
        legend_high=w["high_level"],
        empty_text=w["no_requests"],
    )
    if len(rows) < 7:
        span = f"{columns[0]:02d}:00–{columns[-1] + 1:02d}:00"
        part = page.counted("heat_part", len(rows)).format(days=page.listed(weekdays), hours=span)
        body += f'<p class="part">{escape(part)}</p>'
    return page.section("staffing", w["staffing"], body, keys)


def _heat_shown(figures: Figures) -> tuple[list[int], list[int]]:
    """The heat maps' rows (weekdays, Monday 0) and columns (hours) to show.

    A week or more: all of them. A shorter range: its weekdays in its order,
    and the hours from the first to the last with requests (none: no hours),
    so that one day is not lost among 160-odd empty cells.
    """
    days = (figures.last - figures.first).days + 1
    if days >= 7:
        return list(range(7)), list(range(24))
    rows = [(figures.first + timedelta(days=n)).weekday() for n in range(days)]
    busy = [h for h in range(24) if any(figures.heat_volume.counts[r][h] for r in rows)]
    return rows, list(range(busy[0], busy[-1] + 1)) if busy else []


def _blank_zero(values: Sequence[Sequence[float | None]]) -> list[list[float | None]]:
    # An hour with no requests is shown as empty, not as a pale "0".
    return [[v if v else None for v in row] for row in values]
