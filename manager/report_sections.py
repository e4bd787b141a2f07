"""What every section of the HTML report is built from: escaped tables, numbers in the reader's language, definitions.

Pure: standard library only, no I/O, no clock. A cell is escaped unless it
is marked `Raw` (markup this module's callers wrote themselves, never a
shopper's text). Each figure's definition is written once, under the first
section that shows it; the rest close the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from html import escape

from core.figures import DEFINITIONS
from core.model import Kind
from manager import report_words as words_

RANKED_ROWS = 30  # a year of searches has thousands of distinct terms; the top ones say it


class Raw(str):
    """Markup made by the report itself, put into a cell as it is."""


class SectionWriter:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.w = words_.words(lang)
        self.faces = words_.FACES[lang]
        self.weekdays = words_.WEEKDAYS[lang]
        self._defined: set[str] = set()

    # --- numbers, waits and days in the reader's language -----------------

    def number(self, value: float, digits: int = 0) -> str:
        return words_.number(value, self.lang, digits)

    def count(self, value: float) -> str:
        return words_.number(round(value), self.lang)

    def percent(self, value: float | None) -> str:
        return words_.percent(value, self.lang)

    def index(self, value: float | None) -> str:
        return self.w["none"] if value is None else words_.number(value, self.lang, 1)

    def wait(self, seconds: float | None) -> str:
        return words_.duration(seconds, self.lang)

    def axis_wait(self, seconds: float) -> str:
        return words_.axis_duration(seconds, self.lang)

    def axis_percent(self, value: float) -> str:
        return words_.number(value, self.lang) + "%"

    def axis_number(self, value: float) -> str:
        return words_.number(value, self.lang)

    def kind(self, kind: Kind | str | None) -> str:
        return words_.kind_name(kind, self.lang)

    def group(self, label: str) -> str:
        return words_.group_label(label, self.lang)

    def stored(self, text: str) -> str:
        return words_.stored(text, self.lang)

    def day(self, day: date) -> str:
        return words_.day_name(day, self.lang)

    def short_day(self, day: date) -> str:
        return words_.short_day(day, self.lang)

    def clock(self, moment: datetime) -> str:
        return words_.clock(moment)

    def moment(self, moment: object) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else str(moment)

    def counted(self, key: str, count: int) -> str:
        """The words of `key` for `count` things, singular for exactly one."""
        return words_.counted(key, count, self.lang)

    def listed(self, items: Sequence[str]) -> str:
        """Mon, Tue and Wed (ma, di en wo)."""
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.w['and']} {items[-1]}"

    def raw(self, markup: str) -> Raw:
        return Raw(markup)

    # --- building blocks ----------------------------------------------------

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        total_last: bool = False,
        first_is_text: bool = True,
        groups: Sequence[tuple[str, int]] = (),
    ) -> str:
        """A table whose first column names the row and whose other columns are figures.

        `groups`: a header row above the headers, (title, columns spanned) each.
        """
        if not rows:
            return f"<p>{escape(self.w['nothing'])}</p>"

        def cell(tag: str, index: int, value: str) -> str:
            text = value if isinstance(value, Raw) else escape(value)
            numeric = index > 0 or not first_is_text
            return f'<{tag} class="num">{text}</{tag}>' if numeric else f"<{tag}>{text}</{tag}>"

        head = "".join(cell("th", i, h) for i, h in enumerate(headers))
        if groups:
            spans = "".join(f'<th colspan="{n}" class="group">{escape(title)}</th>' for title, n in groups)
            head = f"{spans}</tr><tr>{head}"
        body = []
        for number, row in enumerate(rows):
            css = ' class="total"' if total_last and number == len(rows) - 1 else ""
            body.append(f"<tr{css}>{''.join(cell('td', i, v) for i, v in enumerate(row))}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"

    def ranked(self, items: Sequence[tuple[str, int]], first: str) -> str:
        """A ranked list as a table with a bar for each count; the top RANKED_ROWS only."""
        if not items:
            return f"<p>{escape(self.w['nothing'])}</p>"
        largest = max(count for _, count in items) or 1
        rows = []
        for text, count in items[:RANKED_ROWS]:
            meter = Raw(f'<span class="meter" style="width:{round(120 * count / largest)}px"></span>')
            rows.append([text, self.number(count), meter])
        table = self.table([first, self.w["count"], ""], rows)
        rest = len(items) - RANKED_ROWS
        return table + (f"<p>… +{self.number(rest)}</p>" if rest > 0 else "")

    def definitions(self, keys: Sequence[str], definitions: Mapping[str, Mapping[str, str]]) -> str:
        """The definitions of `keys` not written yet, as a list under a section."""
        items = []
        for key in keys:
            if key in definitions and key not in self._defined:
                self._defined.add(key)
                text = definitions[key].get(self.lang) or definitions[key].get("en", "")
                # Each definition starts by naming its figure ("Service level: …"): that name in bold.
                term, colon, rest = text.partition(": ")
                if colon and len(term) <= 60:
                    items.append(f"<p><b>{escape(term)}:</b> {escape(rest)}</p>")
                else:
                    items.append(f"<p>{escape(text)}</p>")
        return f'<div class="definitions">{"".join(items)}</div>' if items else ""

    def section(self, name: str, title: str, body: str, keys: Sequence[str], *, first: bool = False) -> str:
        css = ' class="first"' if first else ""
        defined = self.definitions(keys, DEFINITIONS)
        return f'<section id="{escape(name)}"{css}><h2>{escape(title)}</h2>{body}{defined}</section>'

    def remaining_definitions(self, *, leave_out: Sequence[str] = ()) -> str:
        """Every definition no section has written yet (but those of figures left out of the report)."""
        rest = [key for key in DEFINITIONS if key not in self._defined and key not in leave_out]
        if not rest:
            return ""
        return self.section("definitions", self.w["definitions"], "", rest)
