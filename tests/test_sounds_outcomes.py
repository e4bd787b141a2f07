"""The pagers' sounds (core/sounds.py) and the outcomes offered when resolving (core/outcomes.py). Pure."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core.board import Board
from core.lifecycle import Action
from core.model import Kind, Request, Status
from core.outcomes import OUTCOME_WORDS, OUTCOMES, STAFF_LANGUAGES, outcome_words, outcomes_for
from core.sounds import NOTICE_SOUNDS, SOUNDS, Sound, sound_for, sounds_as_data

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def notices_of_every_kind() -> set[str]:
    """The notice kinds core/board.py gives, as Anna's floor pager meets them."""
    board = Board("Anna", "floor")
    kinds: set[str] = set()

    def state(rid: str, seq: int, status: Status = Status.OPEN, **fields: object) -> Request:
        return Request(rid, Kind.HELP, f"H-00{rid}", "kiosk-1", T0, status, seq, **fields)  # type: ignore[arg-type]

    def arrives(request: Request) -> None:
        kinds.update(notice.kind for notice in board.apply_state(request))

    claimed = {"status": Status.CLAIMED, "claimed_at": T0}
    for rid in "1234":
        arrives(state(rid, 1))  # new
    board.ask(Action.CLAIM, state("1", 1), "a1")
    arrives(state("1", 2, claimed_by="Anna", **claimed))  # claimed (mine)
    board.ask(Action.CLAIM, state("2", 1), "a2")
    arrives(state("2", 2, claimed_by="Ben", **claimed))  # taken (my claim lost)
    arrives(state("3", 2, escalation=1))  # escalated
    arrives(state("4", 2, claimed_by="Ben", **claimed))  # changed
    arrives(state("1", 3, Status.RESOLVED, claimed_by="Anna", claimed_at=T0, resolved_at=T0))  # closed
    return kinds


def test_only_a_new_request_and_an_escalation_sound() -> None:
    kinds = notices_of_every_kind()
    assert kinds == {"new", "claimed", "taken", "escalated", "changed", "closed"}
    for kind in kinds:
        sound = sound_for(kind)
        assert (sound is not None) == (kind in ("new", "escalated")), kind
    assert set(NOTICE_SOUNDS.values()) <= set(SOUNDS)
    assert sound_for("new") is SOUNDS["new"] and sound_for("escalated") is SOUNDS["escalated"]
    assert sound_for("nonsense") is None


def loudest(sound: Sound) -> float:
    return max(tone.gain for tone in sound.tones)


def test_an_escalation_is_louder_longer_higher_and_shakes_longer_than_a_new_request() -> None:
    new, escalated = SOUNDS["new"], SOUNDS["escalated"]
    assert loudest(escalated) > loudest(new)
    assert escalated.duration_ms > 2 * new.duration_ms
    assert max(t.hz for t in escalated.tones) > max(t.hz for t in new.tones)
    assert len({t.hz for t in escalated.tones}) > len({t.hz for t in new.tones}), "a different pattern, not only louder"
    assert sum(escalated.vibrate_ms[::2]) > sum(new.vibrate_ms[::2])


def test_every_tone_can_be_played_and_every_pattern_vibrated() -> None:
    for sound in SOUNDS.values():
        assert sound.tones and sound.duration_ms <= 3000, "short enough to repeat"
        for tone in sound.tones:
            assert 200 <= tone.hz <= 4000 and 0 < tone.gain <= 1 and tone.ms > 0 and tone.gap_ms >= 0
        assert len(sound.vibrate_ms) % 2 == 1 and all(ms > 0 for ms in sound.vibrate_ms), "on, off, …, on"


def test_the_web_pager_gets_the_same_table_as_json() -> None:
    data = json.loads(json.dumps(sounds_as_data()))
    assert set(data) == set(SOUNDS)
    for name, sound in SOUNDS.items():
        assert data[name]["name"] == name
        assert [t["hz"] for t in data[name]["tones"]] == [t.hz for t in sound.tones]
        assert [t["gain"] for t in data[name]["tones"]] == [t.gain for t in sound.tones]
        assert data[name]["vibrate_ms"] == list(sound.vibrate_ms)


# -- outcomes ------------------------------------------------------------------------------------


def test_every_type_has_its_outcomes_ending_with_the_common_ones() -> None:
    assert set(OUTCOMES) == set(Kind)
    for kind in Kind:
        offered = outcomes_for(kind)
        assert len(offered) >= 3 and len(set(offered)) == len(offered)
        assert offered[-2:] == ("shopper_gone", "other")
    assert "refunded" in outcomes_for(Kind.RETURN) and "refunded" not in outcomes_for(Kind.FIND)


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_every_outcome_has_words_in_every_staff_language(language: str) -> None:
    offered = {code for kind in Kind for code in outcomes_for(kind)}
    assert offered == set(OUTCOME_WORDS), "no outcome without words, no words for nothing"
    words = [outcome_words(code, language) for code in sorted(offered)]
    assert all(w.strip() and w == w.strip() for w in words)
    assert len(set(words)) == len(words), f"two outcomes read the same in {language}"
    assert all(OUTCOME_WORDS[code][language] == outcome_words(code, language) for code in offered)
    assert STAFF_LANGUAGES == ("en", "nl", "zh_Hans")


def test_the_words_are_in_the_language_asked_and_english_otherwise() -> None:
    assert outcome_words("refunded") == "Refunded"
    assert outcome_words("refunded", "nl") == "Terugbetaald"
    assert outcome_words("refunded", "zh_Hans") == "已退款"
    assert outcome_words("refunded", "zh_Hant") == "Refunded", "a language the staff UI lacks: English"
    assert any(ord(ch) > 0x3000 for ch in outcome_words("answered", "zh_Hans")), "Chinese characters, not pinyin"


def test_a_free_text_outcome_is_shown_as_it_is_and_none_as_nothing() -> None:
    assert outcome_words("showed the bathroom paints", "nl") == "showed the bathroom paints"
    assert outcome_words("<b>refunded</b>", "en") == "<b>refunded</b>", "escaping is the page's job"
    assert outcome_words(None) == "" and outcome_words("") == ""
