"""The storage alert of the MQTT contract: what the kiosk sends decodes back, and the example in
docs/mqtt-api.md is one; anything else is refused with a reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core import wire

DOC = Path(__file__).resolve().parent.parent / "docs" / "mqtt-api.md"
AT = datetime(2026, 11, 24, 9, 15, 2, 345000, tzinfo=UTC)


def test_a_storage_alert_round_trips_and_the_documented_example_decodes() -> None:
    payload = wire.encode_storage_alert("kiosk-1", False, "No space left on device", AT)
    assert wire.decode_storage_alert(payload) == ("kiosk-1", False, "No space left on device", AT)
    example = re.search(r"^(\{.*\"kind\":\"storage\".*\})$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert example is not None, "docs/mqtt-api.md shows a storage alert"
    kiosk, writable, detail, _at = wire.decode_storage_alert(example.group(1).encode())
    assert (kiosk, writable) == ("kiosk-1", False) and "No space left" in detail


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"v":1,"kind":"printer","kiosk":"k","writable":true,"at":"2026-11-24T09:15:02Z"}', "kind"),
        (b'{"v":1,"kind":"storage","kiosk":"k","writable":"yes","at":"2026-11-24T09:15:02Z"}', "writable"),
        (b'{"v":1,"kind":"storage","kiosk":"k","writable":true,"detail":5,"at":"2026-11-24T09:15:02Z"}', "detail"),
    ],
)
def test_a_wrong_storage_alert_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(wire.WireError, match=reason):
        wire.decode_storage_alert(body)
