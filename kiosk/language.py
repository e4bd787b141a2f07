"""The shopper's languages and the translations of everything the kiosk says.

Touches the catalog files (through adapters/babel_catalogs.py) once, at start.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from adapters.babel_catalogs import load_catalogs

# The four languages of our stores, each shown in its own script.
LANGUAGES = (("en", "English"), ("nl", "Nederlands"), ("zh_Hans", "简体中文"), ("zh_Hant", "繁體中文"))
DEFAULT = "en"
LOCALE_DIR = Path(__file__).with_name("locale")


class Translations:
    def __init__(self, catalogs: dict[str, dict[str, str]] | None = None) -> None:
        self.catalogs = catalogs if catalogs is not None else load_catalogs(LOCALE_DIR, "kiosk")

    def tr(self, message: str, language: str) -> str:
        """`message` (an English id) in `language`; English when it has no translation."""
        return self.catalogs.get(language, {}).get(message, message)


@cache
def shared_translations() -> Translations:
    """The catalogs, read once per process: the screens and the printed tickets share them."""
    return Translations()
