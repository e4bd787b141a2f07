"""The pager window's tones as WAV files (shell/tone_wav.py), read back with `wave`:
the same tones as core/sounds.py, the escalation louder, longer and higher."""

from __future__ import annotations

import wave
from array import array
from pathlib import Path

from core.sounds import SOUNDS, Sound, Tone
from shell.tone_wav import FULL_SCALE, RATE, write_sounds


def read(path: Path) -> tuple[wave._wave_params, array[int]]:
    with wave.open(str(path), "rb") as heard:
        params = heard.getparams()
        samples = array("h", heard.readframes(params.nframes))
    return params, samples


def tone_spans(sound: Sound) -> list[tuple[int, int]]:
    """(first, end) sample of each tone in the file."""
    spans, at = [], 0
    for tone in sound.tones:
        count = RATE * tone.ms // 1000
        spans.append((at, at + count))
        at += count + RATE * tone.gap_ms // 1000
    return spans


def pitch(samples: array[int]) -> float:
    """Hz, from the sign changes of a stretch of sine wave."""
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / RATE)


def test_each_sound_is_written_as_its_tones_for_as_long_as_the_core_says(tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = write_sounds(tmp_path)
    assert set(files) == set(SOUNDS) == {"new", "escalated"}
    for name, sound in SOUNDS.items():
        params, samples = read(files[name])
        assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
        assert abs(params.nframes / RATE * 1000 - sound.duration_ms) <= 1, name
        for tone, (first, end) in zip(sound.tones, tone_spans(sound), strict=True):
            part = samples[first:end]
            assert abs(pitch(part) - tone.hz) <= tone.hz * 0.02, (name, tone)
            assert abs(max(map(abs, part)) - tone.gain * FULL_SCALE) <= tone.gain * FULL_SCALE * 0.01, (name, tone)
            # Short fades: it starts and stops at silence, no click.
            assert abs(part[0]) < 0.05 * FULL_SCALE and abs(part[-1]) < 0.05 * FULL_SCALE
        gaps = [
            samples[end : end + RATE * tone.gap_ms // 1000]
            for tone, (_, end) in zip(sound.tones, tone_spans(sound), strict=True)
        ]
        assert all(not any(gap) for gap in gaps), "the gaps are silence"


def test_the_escalation_is_louder_longer_and_higher_than_a_new_request(tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = write_sounds(tmp_path)
    (new_params, new), (esc_params, escalated) = read(files["new"]), read(files["escalated"])
    assert max(map(abs, escalated)) > 2.5 * max(map(abs, new)), "peak amplitude"
    assert esc_params.nframes > 3 * new_params.nframes
    new_top = max(pitch(new[a:b]) for a, b in tone_spans(SOUNDS["new"]))
    esc_top = max(pitch(escalated[a:b]) for a, b in tone_spans(SOUNDS["escalated"]))
    assert esc_top > 1.4 * new_top


def test_the_tones_are_rendered_once_and_kept_under_names_of_their_own(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = write_sounds(tmp_path)
    written = {name: path.stat().st_mtime_ns for name, path in first.items()}
    again = write_sounds(tmp_path)
    assert again == first and {name: path.stat().st_mtime_ns for name, path in again.items()} == written
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in first.values()), "no part files left"
    louder = {"new": Sound("new", (Tone(880, 120, 0.5),), ())}
    assert write_sounds(tmp_path, louder)["new"] != first["new"], "other tones, another file"
