"""Finding a text on a screenshot, as a person reads it off the screen.

Touches nothing but arrays: pictures in, places out. A text is looked for by
what one copy of it looks like when Kivy draws it (tests/text_pictures.py):
its coverage, compared with every place of the screenshot by normalised
cross-correlation. The screen draws text as `background + (ink - background)
× coverage`, so a copy on any one background colour scores 1.0 whatever the
colours; a different text, size or weight scores far lower. A text drawn
twice on the same spot (a layout applied twice) is told by its edges:
coverage a drawn twice is a + a(1 − a), so the picture there leans on a(1 − a)
as much as on a.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAME = 0.97  # scores at or above this are a copy of the text (one digit different: about 0.9)


@dataclass(frozen=True)
class Found:
    left: int
    top: int
    width: int
    height: int
    score: float
    doubled: float  # about 0 for a text drawn once there, about 1 for one drawn twice over itself

    @property
    def centre(self) -> tuple[int, int]:
        return self.left + self.width // 2, self.top + self.height // 2

    @property
    def overprinted(self) -> bool:
        return self.doubled > 0.5


def grey(picture) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A PIL picture as luminance, one float per pixel, top row first."""
    return np.asarray(picture.convert("L"), dtype=np.float64)


def find(picture: np.ndarray, template: np.ndarray, threshold: float = SAME) -> list[Found]:
    """Every place where `template` (a coverage picture) is drawn in `picture`,
    best first; overlapping places count once."""
    rows, cols = picture.shape
    h, w = template.shape
    if h > rows or w > cols:
        return []
    shape = (rows, cols)
    pattern = template - template.mean()
    # Correlation of the picture with the zero-mean pattern at every top-left
    # corner (circular, but the corners kept never wrap around).
    spectrum = np.fft.rfft2(picture) * np.conj(np.fft.rfft2(pattern, s=shape))
    correlation = np.fft.irfft2(spectrum, s=shape)[: rows - h + 1, : cols - w + 1]
    # The spread of the picture under the pattern at every corner, from sums
    # over summed-area tables.
    n = h * w
    spread = window_sums(picture * picture, h, w) - window_sums(picture, h, w) ** 2 / n
    scale = np.sqrt(np.clip(spread, 0, None)) * np.sqrt((pattern * pattern).sum())
    flat = spread < n  # no picture under it (a spread under one grey level): nothing to read
    score = np.abs(np.where(flat, 0.0, correlation / np.where(flat, 1.0, scale)))
    found: list[Found] = []
    ys, xs = np.nonzero(score >= threshold)
    for i in np.argsort(-score[ys, xs]):
        x, y = int(xs[i]), int(ys[i])
        if all(abs(x - f.left) >= w or abs(y - f.top) >= h for f in found):
            found.append(Found(x, y, w, h, float(score[y, x]), doubled(picture[y : y + h, x : x + w], template)))
    return found


def doubled(patch: np.ndarray, template: np.ndarray) -> float:
    """How far `patch` is `template` drawn twice over itself: the weight of
    a(1 − a) against that of a in patch ≈ c0 + c1·a + c2·a(1 − a)."""
    a = template.ravel() / 255
    terms = np.stack([np.ones_like(a), a, a * (1 - a)], 1)
    (_c0, c1, c2), *_ = np.linalg.lstsq(terms, patch.ravel(), rcond=None)
    return float(c2 / c1) if abs(c1) > 1e-6 else 0.0


def window_sums(values: np.ndarray, h: int, w: int) -> np.ndarray:
    """The sum of `values` over every h × w window, by its top-left corner."""
    table = np.zeros((values.shape[0] + 1, values.shape[1] + 1))
    table[1:, 1:] = values.cumsum(0).cumsum(1)
    return table[h:, w:] - table[:-h, w:] - table[h:, :-w] + table[:-h, :-w]
