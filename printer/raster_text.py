"""Text drawn as a picture, for a printer that has no characters for it.

Touches the font files only (Pillow). Chinese on a printer without its own
double-byte character set, and any other script no code page holds, is drawn
here with a CJK font and sent as a raster image: larger on the wire, but the
shopper gets their language on paper.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
LINE_DOTS = 24  # font A's height on the printer: the picture matches the text around it


@cache
def font(size: int) -> Font:
    """A font with CJK glyphs if one is installed (Debian fonts-noto-cjk)."""
    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def text_picture(text: str, max_width: int, height: int = LINE_DOTS) -> Image.Image:
    """One line of black text on white, `height` dots tall, as narrow as the
    text (a multiple of 8 dots, at most `max_width`): the printer centres it."""
    size = height - 2
    measure = ImageDraw.Draw(Image.new("1", (1, 1)))
    face = font(size)
    while size > 10 and measure.textlength(text, font=face) > max_width:
        size -= 2
        face = font(size)
    used = min(max_width, int(measure.textlength(text, font=face)) + 2)
    picture = Image.new("1", (max(8, (used + 7) // 8 * 8), height), 1)
    ImageDraw.Draw(picture).text((1, height // 2), text, fill=0, font=face, anchor="lm")
    return picture
