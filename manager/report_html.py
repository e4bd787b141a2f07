"""The report as one self-contained HTML file: figures, tables and inline SVG charts.

Pure: standard library only, no I/O, no clock — figures in, text out (the
report command writes the file). The page needs nothing from outside itself:
no script, no web font, no style sheet or picture from a network, so it opens
the same offline, mailed, or years later. Printed, each section starts a new
page and the charts keep their colours. Every text that came from a shopper
or a person (comments, search terms, reasons, names) is escaped; the figures
carry no contact details, so neither does the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from core.figures import FaceCounts, Figures, Group, KindFigures, WaitGroup
from manager import charts
from manager.report_sections import SectionWriter
from manager.report_staffing import staffing

_CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #222; background: #fff;
  max-width: 1040px; margin: 24px auto; padding: 0 16px; line-height: 1.4; }
header { border-bottom: 3px solid #2f6db5; margin-bottom: 16px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 10px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.meta { color: #444; margin: 0 0 10px; }
section { margin: 0 0 36px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 10px; }
.card { border: 1px solid #bbb; border-radius: 6px; padding: 8px 12px; break-inside: avoid; }
.card .label { font-size: 13px; color: #444; }
.card .value { font-size: 28px; font-weight: bold; }
.card .note { font-size: 12px; color: #555; }
svg.chart { display: block; width: 100%; max-width: 800px; height: auto; margin: 8px 0 14px; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
td:first-child { min-width: 9em; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { white-space: normal; }  /* long headers wrap; the figures under them do not */
tr.total td { font-weight: bold; border-top: 2px solid #999; }
.flag { font-weight: bold; background: #fdae61; padding: 0 4px; border-radius: 3px; }
.meter { display: inline-block; height: 10px; background: #f08c2e; vertical-align: middle; }
ol.comments { padding-left: 28px; columns: 2 360px; column-gap: 28px; font-size: 13px; }
ol.comments li { margin: 2px 0; break-inside: avoid; }
.when { color: #555; font-size: 12px; margin-right: 6px; }
.definitions { font-size: 12.5px; color: #333; background: #f6f6f6; padding: 4px 10px; border-left: 3px solid #bbb; }
.definitions p { margin: 4px 0; }
p.part { font-size: 12.5px; color: #444; margin: -6px 0 12px; }
th.group { text-align: center; border-bottom: 1px solid #999; }
@page { size: A4; margin: 14mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; margin: 0; padding: 0; color: #000; background: #fff; }
  section { break-before: page; } section.first { break-before: auto; }
  svg.chart, table, .card, .definitions { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
"""


def render_html(figures: Figures, lang: str) -> str:
    """The whole report in `lang` ("en" or "nl") as one HTML document."""
    page = SectionWriter(lang)
    w = page.w
    sections = [
        _headline(page, figures),
        _volume(page, figures),
        _waits(page, figures),
        _periods(page, figures),
        staffing(page, figures),
        _satisfaction(page, figures),
        _joined(page, figures),
        _lost_demand(page, figures),
        _equal_service(page, figures),
    ]
    if figures.associates is not None:
        sections.append(_associates(page, figures))
    sections.append(_gaps(page, figures))
    sections.append(page.remaining_definitions(leave_out=() if figures.associates is not None else ("associates",)))
    period = page.day(figures.first) + ("" if figures.first == figures.last else " – " + page.day(figures.last))
    title = f"{w['title']}: {figures.store_name or figures.store}, {period}"
    head = (
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(w["store"])}: {escape(figures.store_name)} '
        f"({escape(figures.store)}) · {escape(w['period'])}: {escape(period)} · {escape(w['timezone'])} "
        f"{escape(figures.timezone)} · {escape(w['generated'])}: {escape(page.moment(figures.generated_at))}"
        "</p></header>"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"{head}{''.join(sections)}</body></html>\n"
    )


def _card(label: str, value: str, note: str = "") -> str:
    note_html = f'<div class="note">{escape(note)}</div>' if note else ""
    return (
        f'<div class="card"><div class="label">{escape(label)}</div>'
        f'<div class="value">{escape(value)}</div>{note_html}</div>'
    )


def _headline(page: SectionWriter, figures: Figures) -> str:
    w, total, overall = page.w, figures.total, figures.satisfaction.overall
    targets = {k.target_seconds for k in figures.kinds} or {total.target_seconds}
    within = w["within"].format(target=page.wait(targets.pop())) if len(targets) == 1 else w["within_each"]
    responses = f"{page.number(overall.responses)} {page.counted('responses', overall.responses)}"
    cards = [
        _card(w["requests"], page.number(total.requests)),
        _card(w["claimed"], page.number(total.claimed)),
        _card(w["service_level"], page.percent(total.service_level), within),
        _card(w["median_claim"], page.wait(total.time_to_claim.p50)),
        _card(w["unclaimed"], page.number(total.unclaimed)),
        _card(w["service_desk"], page.number(total.service_desk)),
        _card(w["abandoned"], page.number(total.abandoned)),
        _card(w["satisfaction_index"], page.index(overall.index), responses),
    ]
    body = f'<div class="cards">{"".join(cards)}</div>'
    keys = ("requests", "claimed", "unclaimed", "abandoned", "service_desk", "service_level", "time_to_claim")
    return page.section("headline", w["headline"], body, keys, first=True)


def _volume(page: SectionWriter, figures: Figures) -> str:
    w = page.w
    kinds = figures.kinds
    count = charts.COUNT
    body = charts.bar_chart(
        "volume-type", w["by_type"], [page.kind(k.kind) for k in kinds], [k.requests for k in kinds], page.count,
        unit=count,
    )  # fmt: skip
    hours = [f"{h:02d}" for h in range(24)]
    body += charts.bar_chart("volume-hour", w["by_hour"], hours, list(figures.volume_by_hour), page.count, unit=count)
    body += charts.bar_chart(
        "volume-weekday", w["by_weekday"], list(page.weekdays), list(figures.volume_by_weekday), page.count,
        unit=count,
    )  # fmt: skip
    return page.section("volume", w["volume"], body, ("volume",))


def _waits(page: SectionWriter, figures: Figures) -> str:
    w = page.w
    everything: list[KindFigures] = [*figures.kinds, figures.total]
    counts = page.table(
        [w["type"], w["requests"], w["claimed"], w["unclaimed"], w["abandoned"], w["service_desk"], w["target"],
         w["within_target"], w["service_level"]],
        [[page.kind(k.kind), page.number(k.requests), page.number(k.claimed), page.number(k.unclaimed),
          page.number(k.abandoned), page.number(k.service_desk), page.wait(k.target_seconds),
          page.number(k.within_target), page.percent(k.service_level)] for k in everything],
        total_last=True,
    )  # fmt: skip
    waits = page.table(
        [w["type"], *(w[p] for _ in range(2) for p in _SPREAD)],
        [[page.kind(k.kind), *(page.wait(getattr(t, p)) for t in (k.time_to_claim, k.time_to_resolve) for p in _SPREAD)]
         for k in everything],
        total_last=True,
        groups=(("", 1), (w["time_to_claim"], 3), (w["time_to_resolve"], 3)),
    )  # fmt: skip
    names = [page.kind(k.kind) for k in figures.kinds]

    def spread(name: str, title: str, attr: str) -> str:
        series = [
            (w[p], colour, [getattr(getattr(k, attr), p) for k in figures.kinds])
            for p, colour in (("p50", charts.BAR), ("p90", charts.SECOND), ("max", charts.THIRD))
        ]
        return charts.grouped_bars(
            name, title, names, series, page.wait, none_text=w["none"], unit=charts.SECONDS, axis_fmt=page.axis_wait
        )

    level = charts.grouped_bars(
        "service-level",
        w["level_chart"],
        [*names, w["all_types"]],
        [(w["service_level"], charts.BAR, [k.service_level for k in (*figures.kinds, figures.total)])],
        page.axis_percent,
        top=100.0,
        none_text=w["none"],
    )
    body = counts + waits + spread("time-to-claim", w["claim_chart"], "time_to_claim")
    body += spread("time-to-resolve", w["resolve_chart"], "time_to_resolve") + level
    keys = ("time_to_resolve", "percentiles")
    return page.section("waits", w["waits"], body, keys)


_SPREAD = ("p50", "p90", "max")


def _periods(page: SectionWriter, figures: Figures) -> str:
    w = page.w
    parts = []
    for day in figures.days:
        parts.append(f"<h3>{escape(page.day(day.day))}</h3>")
        if not day.periods:
            parts.append(f"<p>{escape(w['no_periods'])}</p>")
            continue
        parts.append(
            page.table(
                [w["period_start"], w["arrived"], w["claimed"], w["above_target"], w["max_wait"]],
                [[page.clock(p.start), page.number(p.arrived), page.number(p.claimed), page.number(p.above_target),
                  page.wait(p.max_wait)] for p in day.periods],
                first_is_text=True,
            )
        )  # fmt: skip
    if not figures.days:
        parts.append(f"<p>{escape(w['no_data'])}</p>")
    return page.section("periods", w["periods"], "".join(parts), ("periods",))


def _face_parts(page: SectionWriter, counts: FaceCounts) -> list[tuple[str, str, int]]:
    total = counts.responses or 1
    return [
        (f"{page.faces[i]}: {page.number(n)} ({page.number(100 * n / total)}%)", charts.FACE_COLOURS[i], n)
        for i, n in enumerate(counts.counts)
    ]


def _satisfaction(page: SectionWriter, figures: Figures) -> str:
    w, sat = page.w, figures.satisfaction
    body = charts.stacked_bar("faces", w["faces"], _face_parts(page, sat.overall))
    body += charts.line_chart(
        "index-day",
        w["index_by_day"],
        [page.short_day(d) for d, _ in sat.by_day],
        [f.index for _, f in sat.by_day],
        page.axis_number,
    )
    body += charts.bar_chart(
        "index-hour", w["index_by_hour"], [f"{h:02d}" for h, _ in sat.by_hour], [f.index for _, f in sat.by_hour],
        page.axis_number, colour=charts.FACE_COLOURS[3], top=100.0,
    )  # fmt: skip
    body += f"<h3>{escape(w['reasons'])}</h3>"
    body += page.ranked([(page.stored(r), n) for r, n in sat.reasons], w["reason"])
    body += f"<h3>{escape(w['comments'])}</h3>" + _comments(page, sat.comments)
    keys = ("satisfaction_index", "faces", "reasons", "comments")
    return page.section("satisfaction", w["satisfaction"], body, keys)


def _comments(page: SectionWriter, comments: Iterable[tuple[int, object, str]]) -> str:
    by_face: dict[int, list[str]] = {}
    for face, moment, text in comments:
        when = f'<span class="when">{escape(page.moment(moment))}</span>'
        by_face.setdefault(face, []).append(f"<li>{when}{escape(text)}</li>")
    if not by_face:
        return f"<p>{escape(page.w['no_comments'])}</p>"
    parts = []
    for face in sorted(by_face):
        name = page.faces[face - 1] if 1 <= face <= 4 else str(face)
        parts.append(
            f'<h4>{escape(name)} ({len(by_face[face])})</h4><ol class="comments">{"".join(by_face[face])}</ol>'
        )
    return "".join(parts)


def _group_table(page: SectionWriter, groups: Sequence[Group], first: str) -> str:
    w = page.w
    return page.table(
        [first, w["responses"].capitalize(), *page.faces, w["index"]],
        [[page.group(g.label), page.number(g.satisfaction.responses), *(page.number(n) for n in g.satisfaction.counts),
          page.index(g.satisfaction.index)] for g in groups],
        first_is_text=True,
    )  # fmt: skip


def _joined(page: SectionWriter, figures: Figures) -> str:
    w, joined = page.w, figures.joined
    counted = page.counted("joined_count", joined.joined).format(
        joined=page.number(joined.joined), unjoined=page.number(joined.unjoined)
    )
    body = f"<p>{escape(counted)}</p>"
    pair = [
        Group(w["helped"], joined.helped.satisfaction),
        Group(w["not_helped"], joined.not_helped.satisfaction),
    ]
    body += _group_table(page, pair, w["group"])
    groups = [*pair, *joined.by_claim_band]
    body += charts.grouped_bars(
        "joined-index", w["joined_chart"],
        [page.group(g.label) for g in groups],
        [(w["satisfaction_index"], charts.FACE_COLOURS[3], [g.satisfaction.index for g in groups])],
        page.axis_number, top=100.0, none_text=w["none"],
    )  # fmt: skip
    body += f"<h3>{escape(w['by_claim_band'])}</h3>" + _group_table(page, joined.by_claim_band, w["group"])
    body += f"<h3>{escape(w['by_kind'])}</h3>" + _group_table(page, joined.by_kind, w["type"])
    if joined.by_associate is not None:
        body += f"<h3>{escape(w['by_associate'])}</h3>" + _group_table(page, joined.by_associate, w["associate"])
    return page.section("joined", w["joined"], body, ("joined", "claim_bands"))


def _lost_demand(page: SectionWriter, figures: Figures) -> str:
    w, lost = page.w, figures.lost_demand
    searched = page.counted("searches", lost.searches).format(searches=page.number(lost.searches))
    body = f'<p>{escape(searched)}</p><div class="pair">'
    for title, ranked, first in (("not_found", lost.not_found, "term"), ("out_of_stock", lost.out_of_stock, "item")):
        table = page.ranked([(r.term, r.count) for r in ranked], w[first])
        body += f"<div><h3>{escape(w[title])}</h3>{table}</div>"
    body += "</div>"
    return page.section("lost-demand", w["lost_demand"], body, ("lost_demand",))


def _wait_table(page: SectionWriter, groups: Sequence[WaitGroup], first: str) -> str:
    w = page.w
    rows = []
    for g in groups:
        flag = f'<span class="flag">⚠ {escape(w["flagged"])}</span>' if g.flagged else ""
        rows.append([page.group(g.label), page.number(g.requests), page.wait(g.median_claim), page.raw(flag)])
    return page.table([first, w["requests"], w["median_claim"], w["flag"]], rows, first_is_text=True)


def _equal_service(page: SectionWriter, figures: Figures) -> str:
    w, equal = page.w, figures.equal_service
    body = f"<p>{escape(w['overall_median'].format(median=page.wait(equal.overall_median)))}</p>"
    body += f"<h3>{escape(w['by_language'])}</h3>{_wait_table(page, equal.by_language, w['language'])}"
    body += f"<h3>{escape(w['by_kind'])}</h3>{_wait_table(page, equal.by_kind, w['type'])}"
    return page.section("equal-service", w["equal_service"], body, ("equal_service",))


def _associates(page: SectionWriter, figures: Figures) -> str:
    w = page.w
    body = page.table(
        [w["associate"], w["claims"], w["median_claim"], w["resolves"]],
        [[a.name, page.number(a.claims), page.wait(a.median_claim), page.number(a.resolves)]
         for a in figures.associates or ()],
        first_is_text=True,
    )  # fmt: skip
    return page.section("associates", w["associates"], body, ("associates",))


def _gaps(page: SectionWriter, figures: Figures) -> str:
    w = page.w
    some = page.counted("gaps_some", figures.gaps).format(gaps=page.number(figures.gaps))
    text = some if figures.gaps else w["gaps_none"]
    return page.section("gaps", w["gaps"], f"<p>{escape(text)}</p>", ("gaps",))
