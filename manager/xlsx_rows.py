"""The XLSX report's log sheets' rows written straight as SpreadsheetML, then put into the workbook XlsxWriter made.

Standard library only. Writes the temporary files it is given and rewrites
the one workbook it is handed (through a temporary file renamed over it).

Why: XlsxWriter spends about 12 µs a cell (measured here: a year's request
log and feedback, five million cells, took over half a minute), and the
report must write a year in seconds. The rows are the simplest part of the
format — `<row>` elements of `<c>` cells in a sheet's `<sheetData>` — so they
are streamed here to a file, one row at a time, and spliced into the sheet
that XlsxWriter wrote with the header, the frozen pane, the column widths
and the autofilter. Text is always an inline string (never a formula),
escaped as XML requires and as Excel reads it back unchanged.

The work is done a row at a time, not a cell at a time, wherever it can be:
rows with the same cell types in the same columns share one template, a row's
text is checked for anything to escape in one search (the rare row that has
some goes cell by cell), and the dates' Excel serial numbers are made from
the CSV's time text by cached day digits and decimals, without a datetime or
a float per cell. A year's rows take a few seconds (docs/reports.md).
"""

from __future__ import annotations

import operator
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system
EXCEL_TEXT_MAX = 32767  # the most characters Excel keeps in a cell
# XML 1.0 has no place for these control characters; Excel writes them as _xHHHH_.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # text that would read as such an escape
_NEEDS_WORK = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f_\ufffe\uffff]")
# What _text changes in text of the right length without white space at its ends ("zh_Hans" stays).
_CHANGES = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def column_name(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _text(value: str) -> str:
    if len(value) > EXCEL_TEXT_MAX:
        value = value[:EXCEL_TEXT_MAX]
    if _NEEDS_WORK.search(value):
        value = _ESCAPED_LOOKALIKE.sub(r"_x005F_\1", value)
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = value.replace("\r", "&#13;")  # a bare CR would read back as a line feed
        value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if value[:1].isspace() or value[-1:].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


class RowFile:
    """Rows of one sheet, from its second row on, as SpreadsheetML in a temporary file."""

    def __init__(self, folder: str, columns: int, dates: Iterable[int], date_style: int) -> None:
        handle, name = tempfile.mkstemp(prefix="report-rows-", suffix=".xml", dir=folder)
        os.close(handle)  # opened again by `write`, which may run in another process (manager/forked.py)
        self.path = Path(name)
        self.columns = columns
        self.rows = 0
        self._letters = [column_name(i) for i in range(columns)]
        self._dates = frozenset(dates)
        self._date_style = date_style
        self._shapes = _Shapes(self._shape)
        self._serials = Serials()

    def write(self, lines: Iterable[Sequence[Any]]) -> int:
        """Write `lines` as rows 2, 3, …: cells as the CSV export makes them (text, numbers, True/False,
        None), the date columns as its "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SSZ" text; the rows written."""
        with self.path.open("wb", buffering=1 << 20) as out:
            self.rows = self._write(out, lines)
        return self.rows

    def _write(self, out: BinaryIO, lines: Iterable[Sequence[Any]]) -> int:
        shapes, days, clocks, changed = self._shapes, self._serials.days, self._serials.clocks, _CHANGES.search
        number = 1
        parts: list[str] = []
        append = parts.append
        # Per row, not per cell, wherever it can be: a year is five million cells. Rows with the same
        # types in the same columns share one %-template (the row number put in by one replace), and a
        # row's text cells are checked at once: as they are (the common case) or cell by cell.
        for cells in lines:
            number += 1
            shape = shapes[tuple(map(type, cells))]
            if shape is None:
                append(self._row(number, cells))
                continue
            if shape.texts is not None:
                texts = shape.texts(cells)
                joined = "".join(texts)
                if (
                    len(joined) > EXCEL_TEXT_MAX
                    or changed(joined)
                    or not all(texts)
                    or tuple(map(str.strip, texts)) != texts
                ):
                    append(self._row(number, cells))
                    continue
            if shape.dates is not None:
                try:
                    serials = [days[t[:10]] + clocks[t[10:]] for t in shape.dates(cells)]
                except KeyError:  # a time text the cache does not know: that row cell by cell
                    append(self._row(number, cells))
                    continue
                row = shape.template % shape.values([*cells, *serials])
            else:
                row = shape.template % shape.values(cells)
            append(row.replace(_NUMBER, str(number)))
            if len(parts) > 2000:
                out.write("".join(parts).encode("utf-8", errors="replace"))
                parts.clear()
        out.write("".join(parts).encode("utf-8", errors="replace"))
        return number - 1

    def _shape(self, kinds: tuple[type, ...]) -> _Shape | None:
        """The template of rows with these cell types, or None: such rows go cell by cell."""
        # A %-template of the row's cells in column order; `values` picks them from the cells followed by
        # the dates' serials (printf-style formatting is the cheapest here: measured).
        template = [f'<row r="{_NUMBER}">']
        values: list[int] = []
        texts: list[int] = []
        dates: list[int] = []
        for col, kind in enumerate(kinds):
            if kind is _NONE:
                continue
            ref = f'<c r="{self._letters[col]}{_NUMBER}"'
            if col in self._dates:
                if kind is not str:
                    return None
                template.append(f'{ref} s="{self._date_style}"><v>%s</v></c>')
                values.append(len(kinds) + len(dates))
                dates.append(col)
                continue
            if kind is str:
                template.append(f'{ref} t="inlineStr"><is><t>%s</t></is></c>')
                texts.append(col)
            elif kind is bool:
                template.append(f'{ref} t="b"><v>%d</v></c>')
            elif kind is int or kind is float:
                template.append(f"{ref}><v>%r</v></c>")
            else:
                return None
            values.append(col)
        template.append("</row>")
        return _Shape(
            "".join(template), _pick(values), _pick(texts) if texts else None, _pick(dates) if dates else None
        )

    def _row(self, number: int, cells: Sequence[Any]) -> str:
        """One row cell by cell: text to escape, empty text, a type or a time text without a template."""
        letters, dates, style = self._letters, self._dates, self._date_style
        parts = [f'<row r="{number}">']
        append = parts.append
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if col in dates:
                append(f'<c r="{letters[col]}{number}" s="{style}"><v>{self._serials.text(value)}</v></c>')
            elif value.__class__ is str:
                append(f'<c r="{letters[col]}{number}" t="inlineStr">{_text(value)}</c>')
            elif value is True or value is False:
                append(f'<c r="{letters[col]}{number}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                append(f'<c r="{letters[col]}{number}"><v>{value!r}</v></c>')
            else:
                append(f'<c r="{letters[col]}{number}" t="inlineStr">{_text(str(value))}</c>')
        append("</row>")
        return "".join(parts)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


_NONE = type(None)
_NUMBER = "\x00"  # where a template's row number goes: a character no cell of a templated row has


class _Shapes(dict[tuple[type, ...], "_Shape | None"]):
    """The cell types of a row → its template, made the first time they are seen."""

    def __init__(self, make: Callable[[tuple[type, ...]], _Shape | None]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, kinds: tuple[type, ...]) -> _Shape | None:
        shape = self[kinds] = self._make(kinds)
        return shape


class _Shape:
    """The template of rows of one set of cell types; `texts` and `dates` pick out their text and date cells."""

    __slots__ = ("template", "values", "texts", "dates")

    def __init__(self, template: str, values: _Pick, texts: _Pick | None, dates: _Pick | None) -> None:
        self.template, self.values, self.texts, self.dates = template, values, texts, dates


_Pick = Callable[[Sequence[Any]], tuple[Any, ...]]


def _pick(columns: list[int]) -> _Pick:
    """The cells of these columns, always as a tuple (itemgetter gives one cell alone)."""
    if not columns:
        return lambda cells: ()
    if len(columns) == 1:
        only = columns[0]
        return lambda cells: (cells[only],)
    return operator.itemgetter(*columns)


_DAY_TEXT = re.compile(r"\d{4}-\d\d-\d\d", re.ASCII)
# Excel's serials of the days 1989-09-17 to 2079-06-04 are in [2¹⁵, 2¹⁶): one binary exponent, so the
# float of day + s/86400 is the day plus the same fraction for every one of these days, and its repr
# is the day's digits followed by the same decimals (tests/test_report_xlsx.py checks every second).
_SAME_DECIMALS = range(1 << 15, 1 << 16)
_DECIMALS_DAY = 45658  # 2025-01-01, the day the decimals are worked out on


class _Days(dict[str, str]):
    """ "YYYY-MM-DD" → the Excel serial's digits of that day; KeyError for other text or days."""

    def __missing__(self, text: str) -> str:
        if _DAY_TEXT.fullmatch(text):
            try:
                serial = (date.fromisoformat(text) - _EPOCH.date()).days
            except ValueError:
                serial = -1
            if serial in _SAME_DECIMALS:
                self[text] = str(serial)
                return self[text]
        raise KeyError(text)


_CLOCK_TEXT = re.compile(r"[ T]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)Z?", re.ASCII)


class _Clocks(dict[str, str]):
    """ " HH:MM:SS" or "THH:MM:SSZ" (either, with or without the "Z") → the decimals of that time's Excel
    serial (".0" at midnight); KeyError for other text. Filled as times are seen: at most a day's seconds."""

    def __init__(self) -> None:
        super().__init__()
        self._decimals: dict[int, str] = {}  # seconds into the day → decimals, one string for all four forms

    def __missing__(self, text: str) -> str:
        clock = _CLOCK_TEXT.fullmatch(text)
        if clock is None:
            raise KeyError(text)
        seconds = int(clock[1]) * 3600 + int(clock[2]) * 60 + int(clock[3])
        decimals = self._decimals.get(seconds)
        if decimals is None:
            whole = repr((_DECIMALS_DAY * 86400 + seconds) / 86400.0)
            decimals = self._decimals[seconds] = whole[whole.index(".") :]
        self[text] = decimals
        return decimals


class Serials:
    """The Excel serials' text (as `repr` of the float) of the CSV's times, "YYYY-MM-DD HH:MM:SS" (store
    time) or "YYYY-MM-DDTHH:MM:SSZ" (UTC), by two lookups: no datetime and no float made per cell."""

    def __init__(self) -> None:
        self.days = _Days()
        self.clocks = _Clocks()

    def texts(self, times: Iterable[str]) -> list[str]:
        """Each time's serial; KeyError if one is not in either form or its day is far from today's."""
        days, clocks = self.days, self.clocks
        return [days[t[:10]] + clocks[t[10:]] for t in times]

    def text(self, moment: str) -> str:
        """One time's serial, in any form datetime.fromisoformat reads (after a trailing "Z" is cut)."""
        try:
            return self.texts((moment,))[0]
        except KeyError:
            return repr((datetime.fromisoformat(moment.rstrip("Z")) - _EPOCH).total_seconds() / 86400.0)


def splice(workbook: Path, rows_of: dict[str, RowFile]) -> None:
    """Put each RowFile's rows into its sheet part (e.g. "xl/worksheets/sheet3.xml") after the header row."""
    handle, name = tempfile.mkstemp(prefix=".report-", suffix=".xlsx", dir=workbook.parent)
    os.close(handle)
    try:
        with (
            zipfile.ZipFile(workbook) as source,
            zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
        ):
            for item in source.infolist():
                data = source.read(item.filename)
                rows = rows_of.get(item.filename)
                if rows is None:
                    out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                text = data.decode("utf-8")
                last = f"{column_name(rows.columns - 1)}{rows.rows + 1}"
                text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', text, count=1)
                head, tail = text.split("</sheetData>", 1)
                with out.open(item.filename, "w") as part:
                    part.write(head.encode("utf-8"))
                    with rows.path.open("rb") as streamed:
                        shutil.copyfileobj(streamed, part, 1 << 20)
                    part.write(("</sheetData>" + tail).encode("utf-8"))
        os.chmod(name, workbook.stat().st_mode & 0o777)  # as XlsxWriter made it, not a temp file's 0600
        os.replace(name, workbook)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
