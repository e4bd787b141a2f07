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
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system
EXCEL_TEXT_MAX = 32767  # the most characters Excel keeps in a cell
# XML 1.0 has no place for these control characters; Excel writes them as _xHHHH_.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # text that would read as such an escape
_NEEDS_WORK = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f_\ufffe\uffff]")
# Most cells (ids, names, words) need nothing done: no markup, no control character, no "_", no
# space at either end.
_PLAIN = re.compile(r"(?!\s)[^&<>\x00-\x1f_\ufffe\uffff]*(?<!\s)\Z")


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
        self.path = Path(name)
        self._out: BinaryIO = os.fdopen(handle, "wb", buffering=1 << 20)
        self.columns = columns
        self.rows = 0
        self._letters = [column_name(i) for i in range(columns)]
        self._dates = frozenset(dates)
        self._date_style = date_style

    def write(self, lines: Iterable[Sequence[Any]]) -> None:
        letters, dates, style, out = self._letters, self._dates, self._date_style, self._out
        plain = _PLAIN.match
        fromisoformat = datetime.fromisoformat
        number = 1
        parts: list[str] = []
        append = parts.append
        # One loop, no calls where it can be helped: it runs once a cell, five million times for a year.
        for cells in lines:
            number += 1
            append(f'<row r="{number}">')
            for col, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if col in dates:
                    # "2026-11-03 14:05:00" (store time) or "2026-11-03T13:05:00Z" (UTC), as the CSV has them.
                    serial = (fromisoformat(value.rstrip("Z")) - _EPOCH).total_seconds() / 86400.0
                    append(f'<c r="{letters[col]}{number}" s="{style}"><v>{serial!r}</v></c>')
                elif value.__class__ is str:
                    text = f"<is><t>{value}</t></is>" if plain(value) else _text(value)
                    append(f'<c r="{letters[col]}{number}" t="inlineStr">{text}</c>')
                elif value is True or value is False:
                    append(f'<c r="{letters[col]}{number}" t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, int | float):
                    append(f'<c r="{letters[col]}{number}"><v>{value!r}</v></c>')
                else:
                    append(f'<c r="{letters[col]}{number}" t="inlineStr">{_text(str(value))}</c>')
            append("</row>")
            if len(parts) > 20000:
                out.write("".join(parts).encode("utf-8", errors="replace"))
                parts.clear()
        out.write("".join(parts).encode("utf-8", errors="replace"))
        self.rows = number - 1
        self._out.close()

    def discard(self) -> None:
        if not self._out.closed:
            self._out.close()
        self.path.unlink(missing_ok=True)


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
