"""The way into maintenance, as pure rules: the PIN pad's lock and the secret
taps, with the time passed in as numbers (kiosk/staff_access.py)."""

from __future__ import annotations

from kiosk.staff_access import PIN_LOCK_SECONDS, PinAnswer, PinLock, SecretTaps, refusal_words

PIN = "2468"


def test_the_right_pin_opens_and_a_wrong_one_is_refused() -> None:
    lock = PinLock()
    assert lock.check("1111", PIN, now=0) is PinAnswer.WRONG
    assert lock.check(PIN, PIN, now=1) is PinAnswer.OPEN


def test_three_wrong_pins_lock_the_pad_for_a_minute_even_against_the_right_one() -> None:
    lock = PinLock()
    assert [lock.check("9999", PIN, now=t) for t in (100, 101, 102)] == [PinAnswer.WRONG] * 3
    assert lock.check(PIN, PIN, now=103) is PinAnswer.LOCKED
    assert lock.check(PIN, PIN, now=102 + PIN_LOCK_SECONDS - 0.1) is PinAnswer.LOCKED
    assert lock.check(PIN, PIN, now=102 + PIN_LOCK_SECONDS) is PinAnswer.OPEN


def test_after_a_lock_the_count_of_wrong_pins_starts_again() -> None:
    lock = PinLock()
    for t in (0, 1, 2):
        lock.check("9999", PIN, now=t)
    after = 2 + PIN_LOCK_SECONDS
    assert [lock.check("9999", PIN, now=after + t) for t in (0, 1)] == [PinAnswer.WRONG] * 2
    assert lock.check(PIN, PIN, now=after + 2) is PinAnswer.OPEN, "two wrong ones do not lock"


def test_a_right_pin_forgets_the_wrong_ones_before_it() -> None:
    lock = PinLock()
    for t in (0, 1):
        lock.check("9999", PIN, now=t)
    assert lock.check(PIN, PIN, now=2) is PinAnswer.OPEN
    assert [lock.check("9999", PIN, now=t) for t in (3, 4)] == [PinAnswer.WRONG] * 2
    assert lock.check(PIN, PIN, now=5) is PinAnswer.OPEN


def test_with_no_pin_set_there_is_no_way_in_and_nothing_counts_as_wrong() -> None:
    lock = PinLock()
    assert [lock.check(digits, "", now=t) for t, digits in enumerate(("", "0000", "1", "2", "3"))] == [
        PinAnswer.NOT_SET
    ] * 5
    assert lock.check(PIN, PIN, now=10) is PinAnswer.OPEN, "refusals without a PIN set never lock the pad"


def test_each_refusal_says_why_in_the_words_staff_read() -> None:
    env = "STORE_ASSIST_MAINTENANCE_PIN"
    assert refusal_words(PinAnswer.WRONG, env) == "Wrong PIN"
    assert refusal_words(PinAnswer.LOCKED, env) == "Too many wrong PINs: wait a minute"
    assert refusal_words(PinAnswer.NOT_SET, env) == "No maintenance PIN set (STORE_ASSIST_MAINTENANCE_PIN)"


def test_five_taps_within_three_seconds_first_to_last_are_the_gesture_once() -> None:
    taps = SecretTaps()
    assert [taps.tap(t) for t in (0, 0.5, 1, 2, 3)] == [False] * 4 + [True]
    assert not any(taps.tap(t) for t in (3.1, 3.2, 3.3, 3.4)), "the gesture starts again after it opened"
    assert taps.tap(3.5)


def test_a_slow_tap_drops_the_taps_more_than_three_seconds_before_it() -> None:
    taps = SecretTaps()
    assert not any(taps.tap(t) for t in (0, 1, 2, 3, 3.5))  # 0 is 3.5 s before the fifth
    assert taps.tap(3.6), "1, 2, 3, 3.5, 3.6: five within three seconds"
