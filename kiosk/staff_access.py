"""How staff get into the kiosk's maintenance screen: a secret gesture on
Welcome, then a PIN pad that locks after too many wrong PINs.

Pure: no Kivy, no clock. Every rule that depends on time takes `now`
(monotonic seconds, read by the App), so the rules are tested by passing
numbers. The words staff read are English (staff screens are not translated).

Rules:
- Five taps on the store's name within three seconds, first to last, open
  the PIN pad; taps further apart never add up.
- While the pad is locked every PIN is refused, the right one too.
- With no PIN configured there is no way in.
- A right PIN opens maintenance and forgets earlier wrong ones.
- The third wrong PIN in a row locks the pad for a minute; the count starts
  again after the lock.
"""

from __future__ import annotations

import hmac
from enum import Enum

SECRET_TAPS = 5  # on the store's name, the first and the last within SECRET_WINDOW seconds
SECRET_WINDOW = 3.0
PIN_TRIES = 3  # wrong PINs before the pad locks
PIN_LOCK_SECONDS = 60


class SecretTaps:
    """Counts quick taps; True on the one that completes the gesture."""

    def __init__(self) -> None:
        self._taps: list[float] = []

    def tap(self, now: float) -> bool:
        self._taps = [t for t in self._taps if now - t <= SECRET_WINDOW] + [now]
        if len(self._taps) >= SECRET_TAPS:
            self._taps.clear()
            return True
        return False


class PinAnswer(Enum):
    OPEN = "open"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not set"


# What the PIN pad says to a refused PIN; `{pin_env}`: where the PIN is read from.
REFUSALS = {
    PinAnswer.WRONG: "Wrong PIN",
    PinAnswer.LOCKED: "Too many wrong PINs: wait a minute",
    PinAnswer.NOT_SET: "No maintenance PIN set ({pin_env})",
}


class PinLock:
    """The PIN pad's lock: `check` a typed PIN against the expected one."""

    def __init__(self) -> None:
        self._failures = 0
        self._locked_until: float | None = None

    def check(self, digits: str, expected: str, now: float) -> PinAnswer:
        if self._locked_until is not None and now < self._locked_until:
            return PinAnswer.LOCKED
        if not expected:
            return PinAnswer.NOT_SET
        if hmac.compare_digest(digits.encode(), expected.encode()):  # in constant time
            self._failures = 0
            return PinAnswer.OPEN
        self._failures += 1
        if self._failures >= PIN_TRIES:
            self._failures = 0
            self._locked_until = now + PIN_LOCK_SECONDS
        return PinAnswer.WRONG


def refusal_words(answer: PinAnswer, pin_env: str) -> str:
    """What the pad shows for a refused PIN."""
    return REFUSALS[answer].format(pin_env=pin_env)
