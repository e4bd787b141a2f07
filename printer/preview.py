"""A picture of a printed ticket, as it would come out of the printer.

Touches the output PNG file (Pillow; the QR drawn with `qrcode`, both come
with python-escpos). For the virtual printer, the README and people checking a
layout by eye.
"""

from __future__ import annotations

from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from printer.decode import PrintedTicket

WIDTH = 384  # dots across 58 mm paper at 203 dpi
MARGIN = 16
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def render(ticket: PrintedTicket, path: Path, width: int = WIDTH) -> Path:
    normal, large = _font(20), _font(56)
    rows: list[tuple[str, ImageFont.FreeTypeFont | ImageFont.ImageFont, int]] = []
    large_left = list(ticket.large)
    for line in ticket.lines:
        if large_left and line == large_left[0]:
            large_left.pop(0)
            rows.append((line, large, 72))
        else:
            rows.append((line, normal, 30))
    codes = [qrcode.make(payload, box_size=4, border=2).get_image().convert("RGB") for payload in ticket.qr]
    height = MARGIN * 2 + sum(h for _t, _f, h in rows) + sum(c.height + 8 for c in codes) + (24 if ticket.cut else 0)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN
    # Text in print order, with the QR codes placed before the last line (our
    # layout prints "thank you" after the code).
    for index, (text, font, row_height) in enumerate(rows):
        if codes and index == len(rows) - 1:
            for code in codes:
                image.paste(code, ((width - code.width) // 2, y))
                y += code.height + 8
            codes = []
        draw.text((width // 2, y + row_height // 2), text, fill="black", font=font, anchor="mm")
        y += row_height
    for code in codes:
        image.paste(code, ((width - code.width) // 2, y))
        y += code.height + 8
    if ticket.cut:
        for x in range(0, width, 12):  # the cut, as a dashed line
            draw.line((x, height - 10, x + 6, height - 10), fill="gray", width=2)
    image.save(path)
    return path
