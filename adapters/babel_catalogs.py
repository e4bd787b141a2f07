"""Translation catalogs (gettext .po files) read with Babel. The only module that imports babel.

Touches the catalog files only. The kiosk reads the .po files directly (no
compiled .mo files to keep in step): a few hundred messages load in
milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po


def load_catalogs(folder: Path, domain: str) -> dict[str, dict[str, str]]:
    """`{language: {message id: translation}}` from `<folder>/<language>/LC_MESSAGES/<domain>.po`.

    Untranslated and fuzzy entries are left out, so the English id shows instead.
    """
    catalogs: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob(f"*/LC_MESSAGES/{domain}.po")):
        with open(path, "rb") as handle:
            catalog = read_po(handle)
        catalogs[path.parts[-3]] = {
            str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
        }
    return catalogs
