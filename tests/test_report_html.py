"""The HTML report opened in a real browser with no network: its charts are drawn, it prints, shopper text stays text.

Debian's Chromium runs headless inside a network namespace with no
interfaces (tests/browser.py); the pictures it takes of a month of a busy
store are checked pixel by pixel for each chart's colours, in the chart's
own place on the page, and saved for the README (docs/screenshots/report-*.png).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import date
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.figures import DEFINITIONS
from manager import charts
from manager.report_html import render_html
from manager.report_sections import SectionWriter
from tests import browser, report_figures, report_month

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
needs_browser = pytest.mark.skipif(browser.available() is not None, reason=str(browser.available()))

# Each chart and the colours that must be drawn inside its box (at least `pixels` of each).
CHART_COLOURS = {
    "volume-type": [charts.BAR],
    "volume-hour": [charts.BAR],
    "volume-weekday": [charts.BAR],
    "time-to-claim": [charts.BAR, charts.SECOND, charts.THIRD],
    "time-to-resolve": [charts.BAR, charts.SECOND, charts.THIRD],
    "service-level": [charts.BAR],
    "heat-volume": [charts.VOLUME_STOPS[-1], charts.EMPTY_MARK],
    "heat-service-level": [charts.SERVICE_STOPS[0], charts.SERVICE_STOPS[-1], charts.EMPTY_MARK],
    "faces": list(charts.FACE_COLOURS),
    "index-day": [charts.LINE],
    "index-hour": [charts.FACE_COLOURS[3]],
    "joined-index": [charts.FACE_COLOURS[3]],
}


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


def pixels_of(picture: np.ndarray, colour: str, tolerance: int = 6) -> int:
    """How many pixels are within `tolerance` of `colour` in every channel."""
    return int(np.all(np.abs(picture[..., :3].astype(np.int16) - _rgb(colour)) <= tolerance, axis=-1).sum())


def near_colour(picture: np.ndarray, colour: str, tolerance: int) -> int:
    return pixels_of(picture, colour, tolerance)


class _Markup(HTMLParser):
    """What a page is made of: its tags and every attribute value, and the text of <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ends: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self.ends.append(tag)
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data


def markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def month_figures():  # type: ignore[no-untyped-def]
    rows, feedback, searches = report_month.month()
    return report_month.figures(rows, feedback, searches)


def test_the_page_asks_for_nothing_from_outside_itself(month_figures) -> None:  # type: ignore[no-untyped-def]
    html = render_html(month_figures, "en")
    page = markup(html)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    for tag, name, value in page.attributes:
        assert not re.search(r"(https?:|//|url\()", value, re.I), f"<{tag} {name}={value!r}> points outside the page"
        assert not name.startswith("on"), f"<{tag} {name}> would run script"
    assert "url(" not in page.style and "@import" not in page.style and "http" not in page.style
    # With no shopper text that names a site, the page names none at all.
    clean = render_html(report_figures.month(), "en").replace("http://evil.example", "")
    assert not re.search(r"https?://", clean)


def test_shopper_text_is_shown_as_text_never_as_markup() -> None:
    html = render_html(report_figures.month(), "en")
    page = markup(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not any(name.startswith("on") for _, name, _ in page.attributes)
    # Every picture closes where the report closed it: a comment's "</svg>" did not end one early.
    assert page.tags.count("svg") == page.ends.count("svg") == len(CHART_COLOURS)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/svg&gt;&lt;b&gt;bold&lt;/b&gt;" in html


def test_every_definition_is_written_in_the_report_in_its_language() -> None:
    figures = report_figures.month()
    for lang in ("en", "nl"):
        html = render_html(figures, lang)
        assert f'<html lang="{lang}">' in html
        for key, texts in DEFINITIONS.items():
            term, _, rest = texts[lang].partition(": ")
            assert escape(rest or term) in html, f"{lang}: the definition of {key} is missing"
    assert "Kerncijfers" in render_html(figures, "nl") and "Headline figures" in render_html(figures, "en")
    with pytest.raises(ValueError, match="report language"):
        render_html(figures, "de")


def test_per_associate_figures_appear_only_when_the_figures_carry_them() -> None:
    with_staff = render_html(report_figures.month(associates=True), "en")
    without = render_html(report_figures.month(associates=False), "en")
    assert 'id="associates"' in with_staff and "By associate" in with_staff
    assert 'id="associates"' not in without and "By associate" not in without and "<td>Anna</td>" not in without
    assert "<td>Anna</td>" in with_staff
    assert "Per associate (only where" not in without  # not even the definition of what is not shown
    assert "Per associate (only where" in with_staff


def test_flagged_groups_say_so_in_words() -> None:
    html = render_html(report_figures.month(), "en")
    section = html[html.index('id="equal-service"') :]
    section = section[: section.index("</section>")]
    assert section.count("waits over 10% longer") == 2  # zh_Hans and return are flagged in the figures
    assert "Chinese (simplified)" in section


@needs_browser
@pytest.mark.timeout(180)
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_report_opens_offline_in_a_browser_and_every_chart_is_drawn(month_figures, tmp_path, lang) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"report-{lang}.html"
    path.write_text(render_html(month_figures, lang), encoding="utf-8")
    shot = tmp_path / "page.png"
    with browser.Page(width=1100) as page:
        page.open(path)
        boxes = {box["name"]: box for box in page.boxes("svg.chart")}
        sections = page.boxes("section")
        page.screenshot(shot)
        if lang == "en":
            page.clip(SCREENSHOTS / "report-staffing.png", next(b for b in sections if b["name"] == "staffing"))
        text = page.evaluate("document.body.innerText")
        requested = list(page.requested)
    assert requested == [path.resolve().as_uri()], f"the page asked for more than itself: {requested}"
    assert set(boxes) == set(CHART_COLOURS)
    picture = np.asarray(Image.open(shot).convert("RGB"))
    for name, colours in CHART_COLOURS.items():
        box = boxes[name]
        assert box["w"] > 300 and box["h"] > 80, f"{name} is drawn {box['w']}x{box['h']}"
        region = picture[int(box["y"]) : int(box["y"] + box["h"]), int(box["x"]) : int(box["x"] + box["w"])]
        for colour in colours:
            assert pixels_of(region, colour) >= 20, f"{name}: no {colour} drawn where the chart is"
    heat = boxes["heat-volume"]
    region = picture[int(heat["y"]) : int(heat["y"] + heat["h"]), int(heat["x"]) : int(heat["x"] + heat["w"])]
    assert len({tuple(p) for p in region.reshape(-1, 3)[::7]}) > 40, "the heat map shows no scale of colours"
    assert ("Headline figures" if lang == "en" else "Kerncijfers") in text
    Image.open(shot).crop((0, 0, 1100, 1750)).save(SCREENSHOTS / f"report-{lang}.png", optimize=True)


@needs_browser
@pytest.mark.timeout(180)
def test_hostile_text_stays_text_in_the_browser(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.html"
    path.write_text(render_html(report_figures.month(), "en"), encoding="utf-8")
    with browser.Page() as page:
        page.open(path)
        made = page.evaluate("document.querySelectorAll('script, img, b:not(.definitions b)').length")
        charts_drawn = page.evaluate("document.querySelectorAll('svg.chart').length")
        text = page.evaluate("document.body.innerText")
        requested = list(page.requested)
    assert made == 0
    assert charts_drawn == len(CHART_COLOURS)
    for hostile in report_figures.HOSTILE[:3]:
        assert hostile in text
    assert requested == [path.resolve().as_uri()]


@needs_browser
@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (Debian package ghostscript) reads the printed PDF")
@pytest.mark.timeout(240)
def test_printed_each_section_starts_a_page_and_the_charts_keep_their_colours(month_figures, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.html"
    path.write_text(render_html(month_figures, "en"), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    with browser.Page() as page:
        page.open(path)
        sections = len(page.boxes("section"))
        page.pdf(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages >= sections >= 10, f"{pages} pages for {sections} sections"
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=png16m", "-r50", f"-sOutputFile={tmp_path}/p%02d.png",
         str(pdf)],
        check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    printed = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(tmp_path.glob("p*.png"))]
    assert len(printed) == pages
    everything = np.concatenate([p.reshape(-1, 3) for p in printed])[None, ...]
    # SVG colours, and the CSS background of the reasons' bars (kept by print-color-adjust).
    for colour in (charts.BAR, charts.FACE_COLOURS[0], charts.SERVICE_STOPS[-1], "#f08c2e"):
        assert near_colour(everything, colour, 14) >= 30, f"{colour} lost in print"
    first = printed[0]
    assert (first.mean(axis=(0, 1)) > 200).all(), "the first page is not black on white"


# --- a quiet day: axes, labels, words and heat maps as a small store's one-day report shows them ---------

DAY = date(2026, 11, 3)  # a Tuesday


def quiet(requests: int, *, responses: int = 1, searches: int = 1, first=DAY, last=DAY, gaps: int = 0):  # type: ignore[no-untyped-def]
    rows, feedback, found = report_month.small_day(DAY, requests, responses=responses, searches=searches)
    rows[:gaps] = [dataclasses.replace(row, missing_steps=1) for row in rows[:gaps]]
    return report_month.figures(rows, feedback, found, per_associate=False, first=first, last=last)


def chart(html: str, name: str) -> str:
    start = html.index(f'data-chart="{name}"')
    return html[start : html.index("</svg>", start)]


def texts(svg: str, **attributes: str) -> list[tuple[float, str]]:
    """(y, text) of every <text> in `svg` whose attributes include `attributes`."""
    found = []
    for tag, text in re.findall(r"<text ([^>]*)>([^<]*)</text>", svg):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if all(attrs.get(k.replace("_", "-")) == v for k, v in attributes.items()):
            found.append((float(attrs["y"]), unescape(text)))
    return found


@pytest.mark.parametrize(("largest", "ticks"), [(1, ["0", "1"]), (2, ["0", "1", "2"]), (3, ["0", "1", "2", "3"]),
                                                 (7, ["0", "2", "4", "6", "8"]), (13, ["0", "5", "10", "15"]),
                                                 (844, ["0", "200", "400", "600", "800", "1,000"])])  # fmt: skip
def test_a_count_axis_steps_in_whole_numbers(largest: int, ticks: list[str]) -> None:
    svg = charts.bar_chart("c", "Requests by type", ["a", "b"], [largest, 0], lambda v: f"{v:,.0f}", unit=charts.COUNT)
    assert [t for _, t in sorted(texts(svg, text_anchor="end"), reverse=True)] == ticks


def test_a_wait_axis_steps_as_a_clock_reads_and_no_tick_repeats() -> None:
    page = SectionWriter("en")
    for longest, ticks in ((7.0, ["0 s", "2 s", "4 s", "6 s", "8 s"]),
                           (90.0, ["0 s", "15 s", "30 s", "45 s", "60 s", "75 s", "90 s"]),
                           (400.0, ["0 s", "2 min", "4 min", "6 min", "8 min"])):  # fmt: skip
        svg = charts.grouped_bars("w", "Time to claim", ["Find"], [("median", charts.BAR, [longest])], page.wait,
                                  unit=charts.SECONDS, axis_fmt=page.axis_wait)  # fmt: skip
        height = max(y for y, _ in texts(svg, fill=charts.AXIS))
        assert [t for y, t in texts(svg, fill=charts.AXIS) if y == height] == ticks


@pytest.mark.parametrize("requests", [1, 2, 3])
def test_a_quiet_days_charts_repeat_no_tick_and_keep_the_tallest_value_clear_of_the_title(requests: int) -> None:
    html = render_html(quiet(requests), "en")
    for name in ("volume-type", "volume-hour", "volume-weekday"):
        svg = chart(html, name)
        ticks = [t for _, t in texts(svg, text_anchor="end")]
        assert len(ticks) == len(set(ticks)) >= 2, f"{name}: {ticks}"
        assert all(t.isdigit() for t in ticks), f"{name}: {ticks}"
        (title_y, _), *_ = texts(svg, font_weight="bold")
        values = [y for y, _ in texts(svg, font_size="10", fill=charts.INK)]
        # A value's text is 10 px tall above its y; the title's letters reach about 4 px below its own y.
        assert all(y - 10 >= title_y + 4 for y in values), f"{name}: a value at {min(values)}, the title at {title_y}"
    assert chart(html, "volume-type").count(">1</text>") >= 1


def test_a_count_before_a_noun_agrees_with_it_in_english_and_dutch() -> None:
    one = quiet(1, gaps=1)
    en, nl = render_html(one, "en"), render_html(one, "nl")
    assert "1 response named its ticket; 0 did not." in en and ">1 response</div>" in en
    assert "1 search on the kiosk." in en
    assert "1 request has steps missing from the record; it is counted as recorded, not guessed." in en
    assert "1 antwoord noemde zijn ticket; 0 niet." in nl and ">1 antwoord</div>" in nl
    assert "1 zoekopdracht op de kiosk." in nl and "Bij 1 verzoek ontbreken stappen; het telt" in nl
    two = quiet(2, responses=2, searches=2, gaps=2)
    en, nl = render_html(two, "en"), render_html(two, "nl")
    assert "2 responses named their ticket; 0 did not." in en and ">2 responses</div>" in en
    assert "2 searches on the kiosk." in en and "2 requests have steps missing" in en
    assert "2 antwoorden noemden hun ticket; 0 niet." in nl and "2 zoekopdrachten op de kiosk." in nl
    none = render_html(quiet(1, responses=0, searches=0), "en")
    assert "0 responses named their ticket" in none and "0 searches on the kiosk." in none


def test_the_definitions_use_the_tables_words_and_the_headline_shows_what_it_defines() -> None:
    figures = report_figures.month()
    en, nl = render_html(figures, "en"), render_html(figures, "nl")
    for html in (en, nl):
        assert not re.search(r"\bp50\b|\bp90\b", html)
    assert "<b>Median / 90th percentile:</b>" in en and ">90th percentile</th>" in en
    assert "<b>Mediaan / 90e percentiel:</b>" in nl and ">90e percentiel</th>" in nl
    assert "streeftijd" not in nl and ">Boven doel</th>" in nl and "boven doel: daarvan" in nl
    for html, word in ((en, "Claimed"), (nl, "Opgepakt")):
        headline = html[html.index('id="headline"') : html.index("</section>")]
        cards = re.findall(r'<div class="label">([^<]*)</div>', headline)
        defined = re.findall(r"<p><b>([^<]*):</b>", headline)
        assert word in cards
        assert all(term in cards or term.startswith(("Time to claim", "Tijd tot oppakken")) for term in defined), (
            cards,
            defined,
        )


def heat_cells(svg: str) -> int:
    return len(re.findall(r'<rect x="\d+" y="\d+" width="30" height="24"', svg))


def test_a_day_shows_its_weekday_and_busy_hours_a_week_or_more_the_whole_map() -> None:
    day = render_html(quiet(3), "en")  # 10:10, 11:10 and 12:10 on a Tuesday
    for name in ("heat-volume", "heat-service-level"):
        svg = chart(day, name)
        assert heat_cells(svg) == 3, name
        assert [t for _, t in texts(svg, font_size="11", text_anchor="end")] == ["Tue"]
        assert [t for _, t in texts(svg, font_size="10", fill=charts.AXIS)] == ["10", "11", "12"]
    assert "Only Tue and the hours 10:00–13:00 are shown: the weekday of this report" in day
    nl = render_html(quiet(3), "nl")
    assert "Alleen di en de uren 10:00–13:00 worden getoond: de weekdag van dit rapport" in nl

    three = render_html(quiet(1, first=date(2026, 11, 1), last=date(2026, 11, 3)), "en")
    svg = chart(three, "heat-volume")  # Sunday to Tuesday: those rows, in the range's order; the one busy hour
    assert [t for _, t in texts(svg, font_size="11", text_anchor="end")] == ["Sun", "Mon", "Tue"]
    assert heat_cells(svg) == 3 and "Only Sun, Mon and Tue and the hours 10:00–11:00" in three
    assert "the weekdays of this report" in three

    week = render_html(quiet(3, first=date(2026, 11, 2), last=date(2026, 11, 8)), "en")
    for name in ("heat-volume", "heat-service-level"):
        assert heat_cells(chart(week, name)) == 7 * 24, name
    assert "are shown:" not in week

    empty = render_html(report_month.figures([], [], [], first=DAY, last=DAY), "en")
    assert "No requests on the days of this report, so no map." in empty and "heat-volume" not in empty


@needs_browser
@pytest.mark.timeout(180)
def test_a_quiet_day_in_the_browser_titles_clear_of_every_other_text_and_small_maps_not_blown_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "day.html"
    path.write_text(render_html(quiet(2), "en"), encoding="utf-8")
    with browser.Page(width=1100) as page:
        page.open(path)
        boxes = {box["name"]: box for box in page.boxes("svg.chart")}
        # Each chart's title (its first <text>) against every other text of it, as the browser lays them out.
        overlaps = page.evaluate(
            "Array.from(document.querySelectorAll('svg.chart')).flatMap(svg => {"
            "const [title, ...rest] = Array.from(svg.querySelectorAll('text')).map(t => t.getBBox());"
            "return rest.filter(r => r.x < title.x + title.width && title.x < r.x + r.width"
            " && r.y < title.y + title.height && title.y < r.y + r.height).map(() => svg.dataset.chart);})"
        )
        requested = list(page.requested)
    assert overlaps == [], f"a chart's title is overlapped in {overlaps}"
    assert requested == [path.resolve().as_uri()]
    assert boxes["heat-volume"]["w"] < 600 and boxes["heat-volume"]["h"] < 160, boxes["heat-volume"]
    assert boxes["volume-type"]["w"] > 700  # the bar charts still take the page's width
