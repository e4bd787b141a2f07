"""A picture of a printed ticket, as it would come out of the printer.

Touches only the PNG file it is asked to write (Pillow; QR codes drawn with
`qrcode`, both installed with python-escpos). For the virtual printer, the
README and people checking a layout by eye.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from printer.decode import PrintedTicket
from printer.raster_text import Font, font

log = logging.getLogger(__name__)

try:
    import qrcode
except ImportError:  # pragma: no cover - qrcode comes with python-escpos; a box stands in without it
    qrcode = None

WIDTH = 384  # dots across 58 mm paper at 203 dpi
MARGIN = 16
QR_SIDE = 160  # about what the printer makes of a short id at 5 dots per module
NORMAL, LARGE = 20, 56  # font sizes in pixels; LARGE is the double width+height number


def _fitting(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> Font:
    """The largest font up to `size` in which `text` fits `width` pixels."""
    face = font(size)
    while size > 8 and draw.textlength(text, font=face) > width:
        size -= 2
        face = font(size)
    return face


def _qr_image(payload: str) -> Image.Image:
    if qrcode is not None:
        code: Any = qrcode.make(payload, box_size=4, border=2)
        image: Image.Image = code.get_image().convert("RGB")
        return image
    box = Image.new("RGB", (QR_SIDE, QR_SIDE), "white")
    ImageDraw.Draw(box).rectangle((0, 0, QR_SIDE - 1, QR_SIDE - 1), outline="black", width=4)
    return box


def render(ticket: PrintedTicket, path: Path, width_px: int = WIDTH) -> Path:
    """Draw `ticket` (text, enlarged text and QR codes in print order) into a PNG at `path`."""
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    inner = width_px - 2 * MARGIN
    # (text or image, font, height) in print order.
    rows: list[tuple[str | Image.Image, Font | None, int]] = []
    for kind, line in ticket.rows:
        if kind == "picture":  # a raster image as the printer got it: 1 bits are black
            width_bytes, height, bits = ticket.pictures[int(line)]
            picture = Image.frombytes("1", (width_bytes * 8, height), bits.ljust(width_bytes * height, b"\0"))
            picture = ImageOps.invert(picture.convert("L")).convert("RGB")
            rows.append((picture, None, picture.height + 4))
        elif kind == "qr":
            code = _qr_image(line)
            if code.width > inner:  # a long payload: shrink it onto the paper
                code = code.resize((inner, inner), Image.Resampling.NEAREST)
            rows.append((code, None, code.height + 8))
        elif kind == "large":
            rows.append((line, _fitting(measure, line, LARGE, inner), 72))
        else:
            rows.append((line, _fitting(measure, line, NORMAL, inner), 30))
    height = MARGIN * 2 + sum(h for _c, _f, h in rows) + (24 if ticket.cut else 0)
    image = Image.new("RGB", (width_px, height), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for content, face, row_height in rows:
        if isinstance(content, Image.Image):
            image.paste(content, ((width_px - content.width) // 2, y))
        else:
            draw.text((width_px // 2, y + row_height // 2), content, fill="black", font=face, anchor="mm")
        y += row_height
    if ticket.cut:
        for x in range(0, width_px, 12):  # the cut, as a dashed line
            draw.line((x, height - 10, x + 6, height - 10), fill="gray", width=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    log.debug("preview %s", path)
    return path
