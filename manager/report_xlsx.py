"""The report as an XLSX workbook: the figures with native Excel charts, heat maps, the request log, the feedback.

The only file that imports xlsxwriter. Writes the one file it is given and
temporary files beside it (XlsxWriter's constant-memory mode spools each
sheet's rows through one, so a year costs the same memory as a day). The log
sheets' rows, a year's five million cells, are streamed by manager/xlsx_rows.py
and put into the sheets XlsxWriter wrote: at XlsxWriter's 12 µs a cell they
would take a minute. Their cells are the CSV export's, made straight from the
record (`record_rows`); a range of over a week writes the feedback's rows in a
forked second process (manager/forked.py) while this one writes the requests'.
The log sheets carry the CSV export's column names (manager/export.py: the
export's columns are an API) with real numbers and Excel dates; every text
cell is written as text, so a comment starting with = + - @ stays words in
Excel and never runs as a formula. The shopper's contact is a column only
when asked for (`contacts=True`), and only within retention, as in the CSV.

Constant-memory mode has no Excel "tables" (add_table needs all rows in
memory); the log sheets get what a manager uses of one: a header row frozen
in place, an autofilter over every column, and fixed column widths.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from core import request_fold as fold
from core.figures import DEFINITIONS, Figures, KindFigures
from manager import forked
from manager import report_words as words_
from manager.export import CONTACT_COLUMN, FEEDBACK_COLUMNS, REQUEST_COLUMNS
from manager.export_rows import StoredCells
from manager.record import Record
from manager.xlsx_rows import RowFile, splice

_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system, as the serial numbers count
_DAY_SECONDS = 86400.0
CHART_COLUMN = 17  # charts sit right of the figures' tables (column R)
SHEETS = {
    "en": ("Figures", "Heat maps", "Requests", "Feedback"),
    "nl": ("Cijfers", "Heatmaps", "Verzoeken", "Feedback"),
}


def _serial(moment: datetime) -> float:
    """An Excel date-time serial for a naive (already local or UTC) datetime."""
    return (moment - _EPOCH).total_seconds() / _DAY_SECONDS


def write_xlsx(
    path: Path,
    figures: Figures,
    requests: Iterable[Sequence[Any]],
    feedback: Iterable[Sequence[Any]],
    lang: str,
    *,
    contacts: bool,
) -> None:
    """Write the workbook for `figures`, with `requests` and `feedback` as the log sheets (each read once).

    Their rows are the CSV export's cells (manager/export.Cells, manager/export_rows.StoredCells):
    REQUEST_COLUMNS, and the feedback columns with the contact when `contacts`; retention applied.
    """
    w = words_.words(lang)
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            # Nothing written is ever turned into a formula, a link or a number behind our back.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    spliced: dict[str, RowFile] = {}  # sheet part → its rows, streamed beside the workbook
    try:
        styles = _Styles(workbook)
        names = SHEETS[lang]
        figures_sheet = workbook.add_worksheet(names[0])
        heat_sheet = workbook.add_worksheet(names[1])
        requests_sheet = workbook.add_worksheet(names[2])
        feedback_sheet = workbook.add_worksheet(names[3])
        _FiguresSheet(workbook, figures_sheet, styles, figures, lang).write()
        _heat_maps(heat_sheet, styles, figures, lang)
        # The figures sheet wrote a date in this style: it has its number in the workbook now.
        date_style = styles.moment.xf_index
        if date_style is None:
            raise RuntimeError("the date style was never written, so the log sheets' dates have no format")
        feedback_columns = (*FEEDBACK_COLUMNS, CONTACT_COLUMN) if contacts else FEEDBACK_COLUMNS
        for part, columns in (("sheet3", REQUEST_COLUMNS), ("sheet4", feedback_columns)):
            dates = [i for i, name in enumerate(columns) if name.endswith(("_local", "_utc"))]
            spliced[f"xl/worksheets/{part}.xml"] = RowFile(str(path.parent), len(columns), dates, date_style)
        request_rows, feedback_rows = spliced.values()
        _write_rows(request_rows, requests, feedback_rows, feedback, beside=(figures.last - figures.first).days >= 7)
        _log_header(requests_sheet, styles, REQUEST_COLUMNS, request_rows.rows)
        _log_header(feedback_sheet, styles, feedback_columns, feedback_rows.rows)
        figures_sheet.activate()
        workbook.set_properties({"title": f"{w['title']}: {figures.store_name}", "subject": figures.store})
        workbook.close()
        splice(path, spliced)
    finally:
        for streamed in spliced.values():
            streamed.discard()
        if not closed(workbook):
            workbook.close()


def _write_rows(
    request_rows: RowFile, requests: Iterable[Sequence[Any]], feedback_rows: RowFile,
    feedback: Iterable[Sequence[Any]], *, beside: bool,
) -> None:  # fmt: skip
    """Both log sheets' rows; `beside` (a long range): the feedback's are written by a second process
    (manager/forked.py) while this one writes the requests' — a year is seconds of each."""
    if not beside:
        request_rows.write(requests)
        feedback_rows.write(feedback)
        return
    feedback_written = forked.start(lambda: feedback_rows.write(feedback))
    try:
        request_rows.write(requests)
    except BaseException:
        with contextlib.suppress(Exception):
            feedback_written()  # waited for: the second process is never left behind
        raise
    feedback_rows.rows = feedback_written()


def record_rows(
    record: Record, retention_cutoff: date | None, contacts: bool
) -> tuple[Iterator[list[Any]], Iterator[list[Any]]]:
    """The log sheets' rows of `record`: the CSV export's cells, made as they are written, straight
    from the folded states and the stored feedback fields (no RequestRow, Feedback or datetime each)."""
    stored = StoredCells(record.stamps, retention_cutoff, contacts)
    # The feedback names each joined request's ticket.
    tickets = {request_id: state[fold.TICKET] for request_id, state in record.states().items()}
    requests = (stored.request(request_id, state) for request_id, state in record.ordered_states())
    feedback = (stored.feedback(at, stamp, fields, tickets) for at, stamp, fields in record.feedback_fields())
    return requests, feedback


class _Styles:
    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.heading = workbook.add_format({"bold": True, "font_size": 12})
        self.header = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "bottom": 1, "text_wrap": True})
        self.percent = workbook.add_format({"num_format": "0.0%"})
        self.seconds = workbook.add_format({"num_format": "0"})
        self.decimal = workbook.add_format({"num_format": "0.0"})
        self.integer = workbook.add_format({"num_format": "#,##0"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.clock = workbook.add_format({"num_format": "hh:mm"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.note = workbook.add_format({"italic": True, "font_color": "#555555"})


def closed(workbook: Any) -> bool:
    return bool(workbook.fileclosed)


def _put(sheet: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    """One cell by its type: None stays empty, text is always text (never a formula)."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        sheet.write_number(row, col, _serial(value.replace(tzinfo=None)), fmt)
    elif isinstance(value, date):
        sheet.write_number(row, col, _serial(datetime(value.year, value.month, value.day)), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


class _FiguresSheet:
    """The figures sheet, top to bottom (constant-memory mode writes rows in order only)."""

    def __init__(self, workbook: Any, sheet: Any, styles: _Styles, figures: Figures, lang: str) -> None:
        self.workbook, self.sheet, self.s, self.f, self.lang = workbook, sheet, styles, figures, lang
        self.w = words_.words(lang)
        self.row = 0
        self.name = sheet.get_name()

    def line(self, *values: object, fmts: Sequence[Any] = ()) -> int:
        for col, value in enumerate(values):
            _put(self.sheet, self.row, col, value, fmts[col] if col < len(fmts) else None)
        self.row += 1
        return self.row - 1

    def header(self, *titles: str) -> int:
        for col, title in enumerate(titles):
            self.sheet.write_string(self.row, col, title, self.s.header)
        self.row += 1
        return self.row - 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.sheet.write_string(self.row, 0, text, self.s.heading)
        self.row += 1

    def definition(self, key: str) -> str | None:
        entry = DEFINITIONS.get(key)
        return None if entry is None else entry.get(self.lang) or entry.get("en")

    def write(self) -> None:
        w, f, s = self.w, self.f, self.s
        self.sheet.set_column(0, 0, 30)
        self.sheet.set_column(1, 15, 13)
        period = words_.day_name(f.first, self.lang)
        if f.last != f.first:
            period += " – " + words_.day_name(f.last, self.lang)
        self.sheet.write_string(0, 0, f"{w['title']}: {f.store_name} ({f.store}), {period}", s.title)
        self.row = 1
        self.line(f"{w['timezone']} {f.timezone}", w["generated"], f.generated_at, fmts=(None, None, s.moment))
        self.headline()
        self.per_type()
        self.chart_data()
        self.heading(w["definitions"])
        for key in DEFINITIONS:
            self.sheet.write_string(self.row, 0, self.definition(key) or "", s.wrap)
            self.row += 1

    def headline(self) -> None:
        w, f, s = self.w, self.f, self.s
        total, overall = f.total, f.satisfaction.overall
        self.heading(w["headline"])
        for label, value, fmt, key in (
            (w["requests"], total.requests, s.integer, "requests"),
            (w["claimed"], total.claimed, s.integer, "claimed"),
            (w["service_level"], _fraction(total.service_level), s.percent, "service_level"),
            (w["median_claim"] + " (s)", total.time_to_claim.p50, s.seconds, "time_to_claim"),
            (w["unclaimed"], total.unclaimed, s.integer, "unclaimed"),
            (w["service_desk"], total.service_desk, s.integer, "service_desk"),
            (w["abandoned"], total.abandoned, s.integer, "abandoned"),
            (w["satisfaction_index"], overall.index, s.decimal, "satisfaction_index"),
            (w["responses"].capitalize(), overall.responses, s.integer, "faces"),
            (w["gaps"], f.gaps, s.integer, "gaps"),
        ):
            self.line(label, value, self.definition(key), fmts=(None, fmt, None))

    def per_type(self) -> None:
        w, f, s = self.w, self.f, self.s
        self.heading(w["waits"])
        spread = [
            f"{w[name]}: {w[p]} (s)" for name in ("time_to_claim", "time_to_resolve") for p in ("p50", "p90", "max")
        ]
        self.header(
            w["type"], w["requests"], w["claimed"], w["unclaimed"], w["abandoned"], w["service_desk"],
            w["target"] + " (s)", w["within_target"], w["service_level"], *spread,
        )  # fmt: skip
        self.type_rows = (self.row, self.row + len(f.kinds) - 1)
        fmts = (None, *[s.integer] * 7, s.percent, *[s.seconds] * 6)
        for k in (*f.kinds, f.total):
            self.line(*self.type_cells(k), fmts=fmts)

    def type_cells(self, k: KindFigures) -> list[object]:
        times = [getattr(p, q) for p in (k.time_to_claim, k.time_to_resolve) for q in ("p50", "p90", "max")]
        return [
            words_.kind_name(k.kind, self.lang), k.requests, k.claimed, k.unclaimed, k.abandoned, k.service_desk,
            k.target_seconds, k.within_target, _fraction(k.service_level), *times,
        ]  # fmt: skip

    def chart_data(self) -> None:
        w, f, s = self.w, self.f, self.s
        self.heading(w["by_hour"])
        self.header(w["hour"], w["requests"])
        hours = (self.row, self.row + 23)
        for hour, count in enumerate(f.volume_by_hour):
            self.line(f"{hour:02d}", count, fmts=(None, s.integer))
        self.heading(w["by_weekday"])
        self.header(w["day"], w["requests"])
        for name, count in zip(words_.WEEKDAYS[self.lang], f.volume_by_weekday, strict=True):
            self.line(name, count, fmts=(None, s.integer))
        self.heading(w["faces"])
        self.header(w["face"], w["count"])
        faces = (self.row, self.row + 3)
        for name, count in zip(words_.FACES[self.lang], f.satisfaction.overall.counts, strict=True):
            self.line(name, count, fmts=(None, s.integer))
        self.heading(w["index_by_day"])
        self.header(w["day"], w["responses"].capitalize(), w["index"])
        days = (self.row, self.row + max(0, len(f.satisfaction.by_day) - 1))
        for day, counts in f.satisfaction.by_day:
            self.line(day, counts.responses, counts.index, fmts=(s.date, s.integer, s.decimal))
        self.periods()
        self.charts(hours, faces, days)

    def periods(self) -> None:
        w, s = self.w, self.s
        for day in self.f.days:
            self.heading(f"{w['periods']}: {words_.day_name(day.day, self.lang)}")
            self.header(w["period_start"], w["arrived"], w["claimed"], w["above_target"], w["max_wait"] + " (s)")
            for p in day.periods:
                self.line(p.start, p.arrived, p.claimed, p.above_target, p.max_wait,
                          fmts=(s.clock, s.integer, s.integer, s.integer, s.seconds))  # fmt: skip

    def charts(self, hours: tuple[int, int], faces: tuple[int, int], days: tuple[int, int]) -> None:
        w, name = self.w, self.name
        first, last = self.type_rows
        placed = 3

        def chart(kind: str, title: str, categories: list[Any], values: list[Any], **series: Any) -> None:
            nonlocal placed
            subtype = series.pop("subtype", None)
            made = self.workbook.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
            made.add_series({"name": title, "categories": categories, "values": values, **series})
            made.set_title({"name": title})
            made.set_legend({"none": kind != "pie"})
            made.set_size({"width": 620, "height": 300})
            self.sheet.insert_chart(placed, CHART_COLUMN, made)
            placed += 16

        chart("column", w["by_hour"], [name, hours[0], 0, hours[1], 0], [name, hours[0], 1, hours[1], 1],
              fill={"color": "#2F6DB5"})  # fmt: skip
        chart("column", w["by_type"], [name, first, 0, last, 0], [name, first, 1, last, 1], fill={"color": "#2F6DB5"})
        chart("bar", w["level_chart"], [name, first, 0, last + 1, 0], [name, first, 8, last + 1, 8],
              fill={"color": "#2F6DB5"}, data_labels={"value": True, "num_format": "0%"})  # fmt: skip
        if self.f.satisfaction.by_day:
            chart("line", w["index_by_day"], [name, days[0], 0, days[1], 0], [name, days[0], 2, days[1], 2],
                  line={"color": "#2F6DB5", "width": 2.25}, marker={"type": "circle"})  # fmt: skip
        points = [{"fill": {"color": c}} for c in ("#C8372D", "#F0A04B", "#8CC084", "#2E8B57")]
        chart("pie", w["faces"], [name, faces[0], 0, faces[1], 0], [name, faces[0], 1, faces[1], 1], points=points,
              data_labels={"percentage": True})  # fmt: skip


def _heat_maps(sheet: Any, s: _Styles, figures: Figures, lang: str) -> None:
    w = words_.words(lang)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 24, 5.5)
    row = 0
    for title, heat, fmt, scale in (
        (w["heat_volume"], figures.heat_volume, s.integer, ("#EEF4FB", "#4292C6", "#08306B")),
        (w["heat_level"], figures.heat_service_level, s.percent, ("#D7301F", "#FFFFBF", "#2C7BB6")),
    ):
        sheet.write_string(row, 0, title, s.heading)
        sheet.write_string(row + 1, 0, w["day"] + " \\ " + w["hour"], s.header)
        for hour in range(24):
            sheet.write_number(row + 1, hour + 1, hour, s.header)
        top = row + 2
        percent = heat is figures.heat_service_level
        for day, values in enumerate(heat.values):
            sheet.write_string(top + day, 0, words_.WEEKDAYS[lang][day], s.header)
            for hour, value in enumerate(values):
                # No requests there: the cell stays empty, and Excel's colour scale leaves empty cells white.
                if value is not None and (percent or value):
                    sheet.write_number(top + day, hour + 1, value / 100 if percent else value, fmt)
        sheet.conditional_format(
            top, 1, top + 6, 24,
            {"type": "3_color_scale", "min_color": scale[0], "mid_color": scale[1], "max_color": scale[2],
             **({"min_type": "num", "min_value": 0, "max_type": "num", "max_value": 1} if percent else {})},
        )  # fmt: skip
        sheet.write_string(top + 7, 0, f"{w['none']}: {w['no_requests']}", s.note)
        row = top + 9


def _log_header(sheet: Any, s: _Styles, columns: Sequence[str], rows: int) -> None:
    """The log sheet as XlsxWriter writes it: the header row frozen in place, an autofilter over all rows."""
    sheet.set_column(0, len(columns) - 1, 16)
    for col, name in enumerate(columns):
        sheet.write_string(0, col, name, s.header)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), len(columns) - 1)
