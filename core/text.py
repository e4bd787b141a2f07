"""Cleaning text that people type before anything keeps, sends or prints it.

Pure: no I/O.
"""

from __future__ import annotations

import unicodedata

# Unicode categories that never belong in a name, note or comment: control
# characters (C0, C1, DEL), format characters (bidi overrides, zero-width
# joiners used to spoof text), surrogates, private use and unassigned.
_DROP = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(text: str | None, max_len: int) -> str:
    """NFC-normalised, control-free, single-line, trimmed to `max_len` characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    kept = []
    for ch in text:
        if ch in "\t\r\n":
            kept.append(" ")
        elif unicodedata.category(ch) not in _DROP:
            kept.append(ch)
    return " ".join("".join(kept).split())[:max_len]
