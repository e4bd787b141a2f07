"""A pager's sounds (core/sounds.py) as WAV files, for a player that plays files.

Touches the folder it is given (standard library only: wave, math, array).
Each tone is a sine wave with short fades in and out, so it starts and stops
without a click; the gaps are silence. The files are 16-bit mono PCM.
"""

from __future__ import annotations

import math
import os
import sys
import wave
from array import array
from collections.abc import Mapping
from hashlib import sha1
from pathlib import Path

from core.sounds import SOUNDS, Sound

RATE = 22050  # samples a second: plenty for tones of at most a few kHz
FADE_MS = 5
# A gain of 1.0 stays just under full scale: a resampling player does not clip it.
FULL_SCALE = 0.9 * 32767


def samples(sound: Sound, rate: int = RATE) -> array[int]:
    """The sound's signed 16-bit samples."""
    out = array("h")
    fade = max(1, rate * FADE_MS // 1000)
    for tone in sound.tones:
        count = rate * tone.ms // 1000
        step = 2 * math.pi * tone.hz / rate
        peak = tone.gain * FULL_SCALE
        for i in range(count):
            envelope = min(1.0, i / fade, (count - 1 - i) / fade)
            out.append(round(peak * envelope * math.sin(step * i)))
        out.extend([0] * (rate * tone.gap_ms // 1000))
    return out


def render(sound: Sound, path: Path, rate: int = RATE) -> Path:
    """Write the sound to `path` whole or not at all (another pager may read it)."""
    data = samples(sound, rate)
    if sys.byteorder == "big":
        data.byteswap()  # WAV holds little-endian samples
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    with wave.open(str(part), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(data.tobytes())
    os.replace(part, path)
    return path


def write_sounds(folder: Path, sounds: Mapping[str, Sound] = SOUNDS) -> dict[str, Path]:
    """Every sound as `<name>-<digest>.wav` in `folder`, rendered once: a file
    already there holds the same tones (the digest names them)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, sound in sounds.items():
        digest = sha1(repr((sound, RATE, FADE_MS, FULL_SCALE)).encode(), usedforsecurity=False).hexdigest()[:10]
        path = folder / f"{name}-{digest}.wav"
        written[name] = path if path.is_file() else render(sound, path)
    return written
