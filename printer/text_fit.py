"""Text made safe and fitted for a receipt printer's line.

Pure: no I/O. Three jobs, in this order, for every piece of text that reaches
paper (from shoppers, the catalog or the config):

1. `clean`: no byte a printer could obey. Control characters (C0, DEL, C1),
   format characters (bidi overrides) and line breaks go; what is left is one
   line of text. This is what keeps `ESC @`, `GS V` or `ESC p` in a shopper's
   note from resetting the printer, cutting or kicking a cash drawer.
2. `columns` / `wrap`: how wide a line prints (a Chinese character takes two
   columns of the printer's font, a Latin letter one) and where to break it.
3. `in_code_page`: a Latin line in the printer's single-byte code page, with
   letters the page lacks folded (ł → l, ß → ss) rather than dropped; None
   when the line holds another script, which then needs the printer's
   double-byte mode or a picture (printer/ticket_layout.py decides).
"""

from __future__ import annotations

import unicodedata

from core.text import clean_text

# Letters NFKD does not take apart, and punctuation people paste.
_FOLD = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
        "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
        "–": "-", "—": "-", "‐": "-", "−": "-", "€": "EUR", "£": "GBP", "•": "*", "·": "-",
        "　": " ", "\u00a0": " ",
    }
)  # fmt: skip


def clean(text: str, limit: int = 200) -> str:
    """One line with no control or format character, at most `limit` characters."""
    return " ".join(clean_text(text, limit).split())


def width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def columns(text: str) -> int:
    """How many columns of the printer's font `text` takes."""
    return sum(width(ch) for ch in text)


def wrap(text: str, cols: int, max_lines: int = 2) -> list[str]:
    """`text` broken into lines of at most `cols` columns: at spaces where it
    can, anywhere in a run of Chinese; the last line ends in '...' if cut."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        if columns(rest) <= cols:
            lines.append(rest)
            rest = ""
            break
        cut, used = 0, 0
        for index, ch in enumerate(rest):
            used += width(ch)
            if used > cols:
                break
            cut = index + 1
        space = rest.rfind(" ", 0, cut + 1)
        if space > cols // 3:
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest and lines:
        last = lines[-1]
        while last and columns(last) > cols - 3:
            last = last[:-1]
        lines[-1] = last.rstrip() + "..."
    return lines


def _fold(ch: str) -> str:
    folded = unicodedata.normalize("NFKD", ch.translate(_FOLD))
    return "".join(c for c in folded if not unicodedata.combining(c))


def in_code_page(text: str, codec: str) -> str | None:
    """`text` with every character the code page `codec` can print, folded
    where the page lacks a letter; None if anything is left that neither the
    page nor folding can print (Chinese, say)."""
    out = []
    for ch in text:
        if _encodes(ch, codec):
            out.append(ch)
            continue
        folded = _fold(ch)
        if folded and all(_encodes(c, codec) for c in folded):
            out.append(folded)
        elif unicodedata.category(ch).startswith(("L", "N")):
            return None  # a letter or digit of another script: never a '?'
        else:
            out.append("?")  # a symbol or emoji no printer has
    return "".join(out)


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def encodes(text: str, codec: str) -> bool:
    return all(_encodes(ch, codec) for ch in text)
