"""The pager window's sounds: the tones of core/sounds.py played with Kivy's SoundLoader.

Touches the sound cache folder, Kivy's audio and the log. The tones are
rendered to WAV files once (shell/tone_wav.py) and loaded at sign-in. Every
sound is logged ("sound new H-001"), heard or not.

Kivy's wheel plays through SDL2_mixer. On a machine without a sound device
SDL opens no mixer and SoundLoader still returns a sound, of length 0: the
pager shows every notice and the log says once that sound is unavailable.
SDL's own drivers stand in for a device: SDL_AUDIODRIVER=dummy plays into
nothing, SDL_AUDIODRIVER=disk writes what is played to SDL_DISKAUDIOFILE
(signed 16-bit samples), which is how the window test hears it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from core.board import Notice
from core.sounds import Sound
from shell.tone_wav import write_sounds

log = logging.getLogger(__name__)


def sound_device() -> bool:
    """Whether SDL has anything to play on: a sound card, a sound server, or a
    driver named in SDL_AUDIODRIVER. Without one, opening the mixer only makes
    ALSA print a page of errors to stderr before it fails."""
    if os.environ.get("SDL_AUDIODRIVER"):
        return True
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR") or "/nonexistent")
    return Path("/dev/snd").is_dir() or (runtime / "pulse" / "native").exists() or (runtime / "pipewire-0").exists()


def cache_folder() -> Path:
    """Where the rendered tones are kept between starts (XDG's cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "store-assist" / "tones"


class PagerSounds:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_folder()
        self.loaded: dict[str, Any] = {}  # name -> Kivy Sound; empty: no sound on this machine
        self.unavailable = ""  # why, when it is

    def load(self) -> bool:
        """Render and load every sound; whether they can be heard."""
        try:
            files = write_sounds(self.folder)
        except OSError:
            # A read-only home: the tones are a few kilobytes, a temporary folder does.
            files = write_sounds(Path(tempfile.mkdtemp(prefix="store-assist-tones-")))
        if not sound_device():
            self.unavailable = "no sound device (no sound card or sound server on this machine)"
            log.warning("sound unavailable: %s; the pager shows its notices without sound", self.unavailable)
            return False
        from kivy.core.audio import SoundLoader

        for name, path in files.items():
            sound = SoundLoader.load(str(path))
            if sound is None or not sound.length:
                self.loaded.clear()
                self.unavailable = (
                    "no audio player in Kivy" if sound is None else "no sound device (the audio mixer did not open)"
                )
                log.warning("sound unavailable: %s; the pager shows its notices without sound", self.unavailable)
                return False
            sound.volume = 1.0  # the loudness is in the tones: an escalation is louder than a new request
            self.loaded[name] = sound
        log.info("sounds loaded from %s: %s", self.folder, ", ".join(sorted(self.loaded)))
        return True

    def play(self, sound: Sound, notice: Notice) -> None:
        log.info("sound %s %s", sound.name, notice.request.ticket)
        player = self.loaded.get(sound.name)
        if player is None:
            return
        for other in self.loaded.values():
            other.stop()  # an escalation cuts a new request's beeps short: one sound at a time
        player.play()
