"""What one copy of a text looks like when a Kivy app draws it, for tests that
look for it on a screenshot (tests/picture.py).

`python tests/text_pictures.py OUT_DIR` reads lines `key<TAB>text<TAB>size<TAB>bold`
(size in sp, bold 0 or 1) on stdin until `quit`; for each it writes
OUT_DIR/<key>.png and prints `drawn <key>`. The picture is the text's coverage
(0 nothing … 255 ink) as Kivy renders it with the apps' font, in grey,
cropped to the ink. Runs on a display (Kivy's GL); the apps' own metrics
apply, so `size` is what their .kv files say.
Touches Kivy's window, fonts and OUT_DIR.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters import kivy_runtime  # noqa: E402  (sets Kivy's environment before Kivy loads)

# isort: split
from kivy.core.window import Window  # noqa: E402, F401  (a GL context for the textures)
from kivy.metrics import sp  # noqa: E402
from kivy.uix.label import Label  # noqa: E402


def coverage(text: str, font: str, size: float, bold: bool = False):  # type: ignore[no-untyped-def]
    """The text as Kivy draws it: a greyscale PIL picture of its alpha, top row first."""
    from PIL import Image

    # A Label widget, as on the apps' screens: the text renderer keeps one font
    # object per font and size whose shaping settings the last user leaves
    # behind, and a bare core label's differ from a widget's.
    label = Label(text=text, font_name=font, font_size=size, bold=bold)
    label.texture_update()
    texture = label.texture
    picture = Image.frombytes("RGBA", texture.size, texture.pixels)
    return picture.getchannel("A")


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    font = kivy_runtime.register_fonts()
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        if not line.strip():
            continue
        key, text, size, bold = line.rstrip("\n").split("\t")
        picture = coverage(text, font, sp(float(size)), bold == "1")
        picture.crop(picture.getbbox()).save(out / f"{key}.png")
        print("drawn", key, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
