"""Reading the store's catalog CSV (exported from the store's stock system).

Touches the one file it is given. UTF-8 (with or without Excel's BOM).
"""

from __future__ import annotations

import csv
from pathlib import Path

from core.catalog import COLUMNS, Item, RowProblem, parse_rows

REQUIRED = ("sku", "name_en")


class CatalogError(Exception):
    """The file cannot be used at all (missing, not CSV, required columns absent)."""


def load_catalog(path: Path) -> tuple[list[Item], list[RowProblem]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [column for column in REQUIRED if column not in header]
            if missing:
                raise CatalogError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
            return parse_rows(reader)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CatalogError(f"{path}: not a UTF-8 CSV file: {exc}") from None
