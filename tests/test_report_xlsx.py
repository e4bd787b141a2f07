"""The XLSX report read back with openpyxl: its sheets, charts, frozen headers, numbers, dates and text as written."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from core.figures import DEFINITIONS, WallClock
from core.model import Feedback
from manager.export import FEEDBACK_COLUMNS, REQUEST_COLUMNS, Cells
from manager.report_xlsx import write_xlsx
from shell.ports import StoreError
from tests import report_month

HOSTILE = ('=HYPERLINK("http://evil.example","x")', "+1 555", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "_x0041_ & <b>")


@pytest.fixture(scope="module")
def month():  # type: ignore[no-untyped-def]
    rows, feedback, searches = report_month.month()
    given = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    # Hostile comments, one with a contact, joined to the first request.
    feedback = [
        *feedback,
        *(
            Feedback(f"evil-{i}", "entrance-north", 1, given, ("Prices",), text, "", "")
            for i, text in enumerate(HOSTILE)
        ),
        Feedback("with-contact", "entrance-north", 2, given, (), "call me", "anna@example.com", rows[0].request_id),
    ]
    return rows, feedback, report_month.figures(rows, feedback, searches)


def excel_reads(stored: str) -> str:
    """The text Excel shows for a stored string: it reads _xHHHH_ as that character (openpyxl does not)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), stored)


def _lines(month, contacts: bool = False):  # type: ignore[no-untyped-def]
    """The log sheets' rows as the report makes them: the CSV export's cells."""
    rows, feedback, _ = month
    cells = Cells(WallClock(report_month.ZONE), None, contacts)
    tickets = {row.request_id: row.ticket for row in rows}
    return [cells.request(row) for row in rows], [cells.feedback(item, tickets) for item in feedback]


def _written(tmp_path: Path, month, lang: str = "en", contacts: bool = False) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    requests, feedback = _lines(month, contacts)
    path = tmp_path / f"report-{lang}.xlsx"
    write_xlsx(path, month[2], iter(requests), iter(feedback), lang, contacts=contacts)
    return openpyxl.load_workbook(path)


def _header(sheet) -> list[str]:  # type: ignore[no-untyped-def]
    return [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]


def _labelled(sheet) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Column A's label → column B's value, for the figures sheet's headline rows."""
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=1, max_col=2) if row[0].value}


def test_the_workbook_has_its_sheets_charts_and_frozen_headers(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    book = _written(tmp_path, month)
    assert book.sheetnames == ["Figures", "Heat maps", "Requests", "Feedback"]
    figures_sheet = book["Figures"]
    kinds = sorted(type(chart).__name__ for chart in figures_sheet._charts)
    assert kinds == ["BarChart", "BarChart", "BarChart", "LineChart", "PieChart"]  # column charts are BarCharts too
    for name in ("Requests", "Feedback"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    heat = book["Heat maps"]
    scales = [rule for rules in heat.conditional_formatting for rule in rules.rules]
    assert len(scales) == 2 and all(rule.type == "colorScale" for rule in scales)


def test_the_figures_sheet_says_what_the_figures_say(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    _, _, figures = month
    book = _written(tmp_path, month)
    sheet = book["Figures"]
    headline = _labelled(sheet)
    assert headline["Requests"] == figures.total.requests
    assert headline["Service level"] == pytest.approx(figures.total.service_level / 100)
    assert headline["Median time to claim (s)"] == pytest.approx(figures.total.time_to_claim.p50)
    assert headline["Unclaimed"] == figures.total.unclaimed
    assert headline["Sent to the service desk"] == figures.total.service_desk
    assert headline["Abandoned"] == figures.total.abandoned
    assert headline["Satisfaction index"] == pytest.approx(figures.satisfaction.overall.index)
    by_type = {row[0].value: [c.value for c in row] for row in sheet.iter_rows() if row[0].value in
               ("Find an item", "Return an item", "Ask for help", "All types")}  # fmt: skip
    for k in (*figures.kinds, figures.total):
        name = {"find": "Find an item", "return": "Return an item", "help": "Ask for help", None: "All types"}[
            k.kind and k.kind.value
        ]
        cells = by_type[name]
        assert cells[1:9] == [k.requests, k.claimed, k.unclaimed, k.abandoned, k.service_desk, k.target_seconds,
                              k.within_target, pytest.approx(k.service_level / 100)]  # fmt: skip
        assert cells[9] == pytest.approx(k.time_to_claim.p50) and cells[11] == pytest.approx(k.time_to_claim.max)
    texts = {cell.value for row in sheet.iter_rows(max_col=3) for cell in row if isinstance(cell.value, str)}
    for key, definition in DEFINITIONS.items():
        assert definition["en"] in texts, f"the definition of {key} is not on the figures sheet"
    heat = book["Heat maps"]
    volume = [[heat.cell(3 + d, 2 + h).value or 0 for h in range(24)] for d in range(7)]
    assert volume == [list(row) for row in figures.heat_volume.counts]


def test_log_sheets_carry_the_exports_columns_real_numbers_and_excel_dates(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    rows, feedback, _ = month
    book = _written(tmp_path, month)
    requests = book["Requests"]
    assert _header(requests) == list(REQUEST_COLUMNS)
    assert requests.max_row == len(rows) + 1
    first = {name: cell.value for name, cell in zip(REQUEST_COLUMNS, requests[2], strict=True)}
    row = rows[0]
    assert first["request_id"] == row.request_id
    assert first["created_utc"] == row.created_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert first["created_local"] == row.created_at.astimezone(report_month.ZONE).replace(tzinfo=None, microsecond=0)
    assert first["minutes_to_claim"] == pytest.approx(round(row.seconds_to_claim / 60, 1))
    assert isinstance(first["released"], int) and first["service_desk"] is False
    sheet = book["Feedback"]
    assert _header(sheet) == list(FEEDBACK_COLUMNS)
    assert sheet.max_row == len(feedback) + 1
    joined = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "with-contact")
    assert joined[4] == 2 and joined[8] == rows[0].request_id and joined[9] == rows[0].ticket


def test_a_hostile_comment_stays_text(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    book = _written(tmp_path, month)
    comments = {}
    for cells in book["Feedback"].iter_rows(min_row=2):
        if str(cells[0].value).startswith("evil-"):
            comments[cells[0].value] = cells[7]
    assert len(comments) == len(HOSTILE)
    for i, text in enumerate(HOSTILE):
        cell = comments[f"evil-{i}"]
        assert cell.data_type == "s", f"{text!r} was stored as {cell.data_type}"
        assert excel_reads(cell.value) == text  # exactly as typed: no quote added, nothing run


def test_the_contact_column_is_there_only_when_asked_for(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    without = _written(tmp_path, month)
    assert "contact" not in _header(without["Feedback"])
    assert not any("anna@example.com" in str(v) for r in without["Feedback"].iter_rows(values_only=True) for v in r)
    with_contacts = _written(tmp_path, month, contacts=True)
    header = _header(with_contacts["Feedback"])
    assert header[-1] == "contact"
    found = [r[-1] for r in with_contacts["Feedback"].iter_rows(min_row=2, values_only=True) if r[0] == "with-contact"]
    assert found == ["anna@example.com"]


def test_in_dutch_the_sheets_and_labels_are_dutch_and_the_columns_stay(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    book = _written(tmp_path, month, "nl")
    assert book.sheetnames == ["Cijfers", "Heatmaps", "Verzoeken", "Feedback"]
    assert _labelled(book["Cijfers"])["Verzoeken"] == month[2].total.requests
    assert _header(book["Verzoeken"]) == list(REQUEST_COLUMNS)  # the export's columns are an API: never translated


def test_a_year_of_a_busy_store_writes_in_seconds(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    requests, feedback = _lines(month)
    # About a year's worth: 110,000 requests and 365,000 feedback (this month's repeated).
    many_rows = (requests * (110_000 // len(requests) + 1))[:110_000]
    many_feedback = (feedback * (365_000 // len(feedback) + 1))[:365_000]
    figures = replace(month[2], first=date(2025, 12, 1))
    path = tmp_path / "year.xlsx"
    started = time.perf_counter()
    write_xlsx(path, figures, many_rows, many_feedback, "en", contacts=False)
    took = time.perf_counter() - started
    assert took < 20, f"a year took {took:.1f} s"  # about 4 s here; the bench measures it on its own
    book = openpyxl.load_workbook(path, read_only=True)
    assert book["Requests"].max_row == 110_001 and book["Feedback"].max_row == 365_001


def test_every_kind_of_cell_reads_back_as_it_was_given(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    requests, feedback = _lines(month)
    plain = requests[0]
    col = {name: i for i, name in enumerate(REQUEST_COLUMNS)}
    varied = []
    for text in (" lead", "trail ", "", "a\nb", "tab\tinside", "x" * 40_000, "\x01 control", "é 中文", "zh_Hans",
                 "_x0041_", "{0} {1!r}", "plain"):  # fmt: skip
        row = list(plain)
        row[col["note"]], row[col["claimed_by"]] = text, text[::-1]
        varied.append(row)
    odd = list(plain)
    odd[col["created_local"]] = "2025-06-14T10:05:03"  # the other separator, and a "Z" on a local time
    odd[col["claimed_local"]] = "2025-06-14 10:05:03Z"
    odd[col["resolved_local"]] = "2025-06-14 10:05:03.250000"  # fractions of a second
    odd[col["cancelled_local"]] = "1970-01-01 00:00:01"  # days far from today's
    odd[col["cancelled_utc"]] = "2100-02-28T23:59:59Z"
    odd[col["released"]], odd[col["escalation"]], odd[col["minutes_to_claim"]] = True, -0.0, 1e-7
    odd[col["ticket"]] = ("A", "tuple")  # no template for this type: written cell by cell
    varied.append(odd)
    lines = [plain, *varied, plain]
    path = tmp_path / "cells.xlsx"
    write_xlsx(path, month[2], lines, feedback[:1], "en", contacts=False)
    sheet = openpyxl.load_workbook(path)["Requests"]
    for row, given in enumerate(lines, 2):
        read = [cell.value for cell in sheet[row]]
        for name, value in zip(REQUEST_COLUMNS, given, strict=True):
            got = read[col[name]]
            if name.endswith(("_local", "_utc")) and value is not None:
                moment = datetime.fromisoformat(value.rstrip("Z"))
                assert abs(got - moment).total_seconds() < 0.001, (row, name, value, got)
            elif isinstance(value, str):
                assert excel_reads(got or "") == value[:32767], (row, name, value[:40], got and got[:40])
            elif isinstance(value, tuple):
                assert got == str(value)
            else:
                assert got == value and type(got) is type(value), (row, name, value, got)
    assert [c.value for c in sheet[2]] == [c.value for c in sheet[len(lines) + 1]]


def test_excel_serials_made_by_arithmetic_are_those_of_datetime() -> None:
    from manager.xlsx_rows import Serials

    def by_datetime(text: str) -> str:
        return repr((datetime.fromisoformat(text.rstrip("Z")) - datetime(1899, 12, 30)).total_seconds() / 86400.0)

    serials = Serials()
    # The first and last days of the cache's range, and days of this century: every second of each.
    for day in ("1989-09-17", "2025-01-01", "2026-03-29", "2026-10-25", "2049-12-31", "2079-06-04"):
        times = [f"{day} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        assert serials.texts(times) == [by_datetime(t) for t in times], day
        utc = [t.replace(" ", "T") + "Z" for t in times[::97]]
        assert serials.texts(utc) == [by_datetime(t) for t in utc]
    for outside in ("1989-09-16 23:59:59", "2079-06-05T00:00:00Z", "2025-06-14 10:05:03.5", "2025-6-14 10:05:03"):
        with pytest.raises(KeyError):
            serials.texts([outside])
        if outside[5] != "6":
            assert serials.text(outside) == by_datetime(outside)  # the slow way, as before
    with pytest.raises(ValueError):
        serials.text("2025-06-14 24:00:00")


def test_a_record_that_breaks_midway_leaves_no_rows_behind(tmp_path, month) -> None:  # type: ignore[no-untyped-def]
    requests, feedback = _lines(month)
    assert (month[2].last - month[2].first).days >= 7  # a month: the feedback's rows are written by a second process

    def breaking(rows, after: int):  # type: ignore[no-untyped-def]
        yield from rows[:after]
        raise StoreError("feedback/2026-11-20T11.json: record 7: not a feedback record")

    for lines in ((requests, breaking(feedback, 500)), (breaking(requests, 100), feedback)):
        with pytest.raises(StoreError, match="record 7"):
            write_xlsx(tmp_path / "broken.xlsx", month[2], lines[0], lines[1], "en", contacts=False)
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("report-rows-")]
