"""What a pager sounds like: which notice makes which sound, and each sound's tones.

Pure: no I/O. One table for every pager: the Kivy pager renders these tones
to a WAV file and plays it, the web pager plays the same tones with Web
Audio and vibrates with the same pattern. An escalation is louder, longer
and higher than a new request, so nobody mistakes one for the other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Tone:
    """One beep: a sine wave of `hz` for `ms`, at `gain` (0–1), then `gap_ms` of silence."""

    hz: float
    ms: int
    gain: float
    gap_ms: int = 0


@dataclass(frozen=True)
class Sound:
    name: str
    tones: tuple[Tone, ...]
    vibrate_ms: tuple[int, ...]  # on, off, on, … (the Vibration API's pattern)

    @property
    def duration_ms(self) -> int:
        return sum(t.ms + t.gap_ms for t in self.tones)


SOUNDS = {
    # Two soft, mid beeps: someone asked for help.
    "new": Sound("new", (Tone(880, 120, 0.35, 80), Tone(880, 120, 0.35)), (200, 100, 200)),
    # Rising triple, twice, at full gain: a request waited too long.
    "escalated": Sound(
        "escalated",
        (
            Tone(660, 180, 1.0, 40),
            Tone(990, 180, 1.0, 40),
            Tone(1320, 260, 1.0, 200),
            Tone(660, 180, 1.0, 40),
            Tone(990, 180, 1.0, 40),
            Tone(1320, 260, 1.0),
        ),
        (500, 150, 500, 150, 800),
    ),
}

# Which board notice (core/board.py Notice.kind) sounds; the rest are quiet:
# a state the holder made themselves, a request closing, another's claim.
NOTICE_SOUNDS = {"new": "new", "escalated": "escalated"}


def sound_for(notice_kind: str) -> Sound | None:
    name = NOTICE_SOUNDS.get(notice_kind)
    return SOUNDS[name] if name else None


def sounds_as_data() -> dict[str, Any]:
    """The table for the web pager's script (served as JSON)."""
    return {name: asdict(sound) for name, sound in SOUNDS.items()}
