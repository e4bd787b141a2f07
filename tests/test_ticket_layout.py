"""Printed tickets in every language, on every kind of printer, decoded back from their bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from core.model import Kind
from kiosk.printed_ticket import printed_ticket
from kiosk.wording import KIND_WORDS, place_words, wait_words
from printer.decode import decode
from printer.preview import render
from printer.ticket_content import PrinterSetup
from printer.ticket_layout import layout
from printer.ticket_printer import EscposTicketPrinter
from shell.phone_tokens import with_token
from tests.tickets import AMS, CODES, DETAIL_WORDS, NATIVE, TR, content, one, ticket
from tests.xvfb import ROOT, distinct_colours


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("kind", list(Kind))
def test_every_type_in_every_language_prints_its_words_number_qr_and_cut(kind: Kind, code: str) -> None:
    data = layout(content(ticket(kind, code)), NATIVE)
    printed = one(data)

    def _(message: str) -> str:
        return TR.tr(message, code)

    assert printed.large == [f"{kind.prefix}-007"] and printed.cut and printed.qr == ["3f9c2a7e1b4d4c10"]
    assert printed.images == 0, "native mode: no pictures"
    for words in (_(KIND_WORDS[kind]), DETAIL_WORDS[kind](code), place_words(2, _), wait_words(180, _)):
        assert words in printed.lines, (words, printed.lines)
    assert "2026-11-24 10:15" in printed.lines  # store-local time
    limit = 800 if code.startswith("zh") else 400
    assert len(data) <= limit, f"{len(data)} bytes for a {code} ticket (target {limit})"


def test_dutch_accents_print_through_one_code_page() -> None:
    t = ticket(Kind.FIND, "nl", {"item": "Paint", "item_local": "Crème één ĳzer łat", "aisle": "3", "shelf": "B"})
    data = layout(content(t, store="Café Zuid"), NATIVE)
    assert data.count(b"\x1bt") == 1, "one code page for the whole ticket"
    printed = one(data)
    assert printed.lines[0] == "Café Zuid"
    assert "Crème één ijzer lat" in printed.lines  # ĳ and ł are not in the page: folded, not lost


def test_traditional_chinese_prints_natively_on_a_big5_printer() -> None:
    setup = PrinterSetup(double_byte="big5")
    data = layout(content(ticket(Kind.RETURN, "zh_Hant")), setup)
    printed = one(data, setup)
    assert "尺寸不對" in printed.lines and printed.images == 0 and len(data) <= 800


def test_chinese_without_a_double_byte_printer_prints_as_pictures_with_the_number_as_text() -> None:
    setup = PrinterSetup()  # no double-byte character set configured
    data = layout(content(ticket(Kind.HELP, "zh_Hans")), setup)
    printed = one(data, setup)
    assert printed.images >= 4 and len(printed.pictures) == printed.images
    assert printed.large == ["H-007"] and printed.qr == ["3f9c2a7e1b4d4c10"]
    assert b"\x1c&" not in data, "no double-byte mode sent to a printer that may not have it"
    assert all(any(bits) for _w, _h, bits in printed.pictures), "every picture has ink"


def test_simplified_characters_a_big5_printer_lacks_become_pictures_not_question_marks() -> None:
    setup = PrinterSetup(double_byte="big5")
    printed = one(layout(content(ticket(Kind.FIND, "zh_Hans")), setup), setup)
    assert printed.images >= 1 and not any("?" in line for line in printed.lines)


def test_a_profile_without_native_qr_gets_the_code_as_a_raster_image() -> None:
    setup = PrinterSetup(profile="ZJ-5870", paper_mm=58)
    printed = one(layout(content(ticket(Kind.HELP)), setup), setup)
    assert printed.qr == [] and printed.images == 1 and printed.large == ["H-007"]


@pytest.mark.parametrize(("paper", "cols"), [(58, 32), (80, 48)])
def test_long_lines_wrap_to_the_paper_width(paper: int, cols: int) -> None:
    setup = PrinterSetup(paper_mm=paper)
    long_name = "Extra heavy duty exterior wood preserver for fences and sheds, dark oak colour"
    t = ticket(Kind.FIND, details={"item": long_name, "aisle": "7", "shelf": "A"})
    printed = one(layout(content(t), setup), setup)
    first = printed.lines.index(next(line for line in printed.lines if line.startswith("Extra")))
    item_lines = printed.lines[first : first + 2]
    assert all(len(line) <= cols for line in item_lines)
    assert long_name.startswith(" ".join(item_lines).removesuffix("...")), "cut at a space, with '...' if cut"
    assert printed.lines[first + 2] == "Aisle 7 · Shelf A" or "Aisle" in printed.lines[first + 2]


def test_the_qr_code_can_be_a_configured_link() -> None:
    t = ticket(Kind.HELP)
    printed = one(layout(content(t, qr_url="https://shop.example/t/{store}/{ticket}?id={request_id}"), NATIVE))
    assert printed.qr == ["https://shop.example/t/s1/H-007?id=3f9c2a7e1b4d4c10"]


def test_the_qr_link_can_open_the_shoppers_ticket_page_with_the_requests_token() -> None:
    t, token = ticket(Kind.FIND), "q8Fz0XyL3vN_tR6wK2mPjA"
    link = "https://assist.store.example:8443/t/{token}"
    printed = one(layout(content(with_token(t, token), qr_url=link), NATIVE))
    assert printed.qr == [f"https://assist.store.example:8443/t/{token}"]
    assert not any(token in line for line in printed.lines), "the token is in the QR code only"
    plain = one(layout(content(t, qr_url="https://shop.example/t/{request_id}"), NATIVE))
    assert plain.qr == ["https://shop.example/t/3f9c2a7e1b4d4c10"], "without {token} nothing changes"
    assert one(layout(content(with_token(t, token)), NATIVE)).qr == ["3f9c2a7e1b4d4c10"]


def test_a_ticket_says_which_entrance_of_the_store_it_came_from() -> None:
    t = ticket(Kind.HELP)
    with_entrance = printed_ticket(t, TR.tr, store_name="Paint & Co.", tz=AMS, entrance="North entrance")
    assert one(layout(with_entrance, NATIVE)).lines[0] == "Paint & Co. · North entrance"
    assert one(layout(content(t, store="Paint & Co."), NATIVE)).lines[0] == "Paint & Co."


HOSTILE = "\x1b@reset\x1dV\x00cut\x1bp\x00\x19\xfadrawer\x10\x04\x01\x00\x7f\x9b2J\u202eevil\x1c&\x1c."


def test_text_from_shoppers_catalog_or_config_never_becomes_a_printer_command() -> None:
    t = ticket(Kind.RETURN, details={"receipt": HOSTILE, "reason": HOSTILE * 3})
    data = layout(content(t, store="\x1bE\x01Store\x1d!\x11" + HOSTILE), NATIVE)
    for command in (b"\x1bp", b"\x10\x04", b"\x1b@", b"\x1c&"):
        assert command not in data, command
    assert data.count(b"\x1dV") == 1, "exactly one cut: ours"
    printed = one(data)
    assert printed.lines[0].startswith("EStore!@resetVcut")  # the control bytes gone, the letters kept
    assert all(ch >= " " for line in printed.lines for ch in line)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.text(max_size=60), st.sampled_from(CODES))
def test_any_text_anywhere_prints_one_ticket_with_one_cut_and_nothing_else(item: str, store: str, code: str) -> None:
    t = ticket(Kind.FIND, code, {"item": item, "item_local": item, "aisle": store[:8], "shelf": item[:4]})
    data = layout(content(t, store=store), NATIVE)
    printed = decode(data, "gb18030")
    assert len(printed) == 1 and printed[0].cut and printed[0].large == ["F-007"]
    assert printed[0].qr == ["3f9c2a7e1b4d4c10"]


def test_the_printer_port_sends_the_composed_ticket_in_the_shoppers_language() -> None:
    sent: list[bytes] = []

    class Collect:
        def write(self, data: bytes) -> None:
            sent.append(data)

        def ask(self, query: bytes, timeout: float = 0.3) -> int | None:
            return None

    EscposTicketPrinter(Collect(), content, NATIVE).print_ticket(ticket(Kind.RETURN, "zh_Hans"))
    assert "尺寸不对" in one(sent[0]).lines


@pytest.mark.parametrize("code", CODES)
def test_a_preview_of_each_language_is_drawn_from_the_decoded_bytes(code: str) -> None:
    """The pictures in the README: what the printer got, drawn back (native Chinese; and as pictures)."""
    for name, setup in ((code, NATIVE), (f"{code}-pictures", PrinterSetup())):
        printed = one(layout(content(ticket(Kind.FIND, code)), setup), setup)
        path = render(printed, ROOT / "docs" / "screenshots" / f"ticket-{name}.png")
        assert distinct_colours(path) > 2, f"{path.name} is blank"
        with Image.open(path) as picture:
            assert picture.height > 400, "the whole ticket, not a strip"
