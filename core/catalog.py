"""The store's catalog: items, read from CSV rows, with a clear word for every bad row.

Pure: rows in (dicts, as csv.DictReader gives them), items and problems out.

CSV columns: sku, barcode, name_en, name_nl, name_zh_hans, name_zh_hant,
aliases (separated by `;`, any language), aisle, shelf, stock. A row without a
sku or an English name, with a stock that is not a whole number >= 0, or with a
sku or barcode seen before is reported by its line number and left out; the
rest of the catalog is still used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.text import clean_text

NAME_COLUMNS = {"en": "name_en", "nl": "name_nl", "zh_Hans": "name_zh_hans", "zh_Hant": "name_zh_hant"}
COLUMNS = ("sku", "barcode", *NAME_COLUMNS.values(), "aliases", "aisle", "shelf", "stock")
FIELD_MAX = 120


@dataclass(frozen=True)
class Item:
    sku: str
    names: dict[str, str] = field(hash=False)  # language code → name
    barcode: str = ""
    aliases: tuple[str, ...] = ()
    aisle: str = ""
    shelf: str = ""
    stock: int = 0

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def parse_rows(rows: Iterable[dict[str, str | None]], first_line: int = 2) -> tuple[list[Item], list[RowProblem]]:
    """Items from CSV rows (line numbers count the header as line 1)."""
    items: list[Item] = []
    problems: list[RowProblem] = []
    seen_sku: set[str] = set()
    seen_barcode: set[str] = set()
    for line, row in enumerate(rows, start=first_line):
        value = {key: clean_text(row.get(key) or "", FIELD_MAX) for key in COLUMNS}
        stock = value["stock"] or "0"
        if not value["sku"]:
            problems.append(RowProblem(line, "no sku"))
        elif not value["name_en"]:
            problems.append(RowProblem(line, f"sku {value['sku']}: no English name (name_en)"))
        elif not stock.isdigit():
            problems.append(RowProblem(line, f"sku {value['sku']}: stock must be a whole number, got {stock!r}"))
        elif value["sku"] in seen_sku:
            problems.append(RowProblem(line, f"sku {value['sku']} appears twice"))
        elif value["barcode"] and value["barcode"] in seen_barcode:
            problems.append(RowProblem(line, f"sku {value['sku']}: barcode {value['barcode']} belongs to another item"))
        elif value["barcode"] and not value["barcode"].isdigit():
            problems.append(RowProblem(line, f"sku {value['sku']}: barcode must be digits, got {value['barcode']!r}"))
        else:
            seen_sku.add(value["sku"])
            if value["barcode"]:
                seen_barcode.add(value["barcode"])
            items.append(
                Item(
                    sku=value["sku"],
                    names={code: value[column] for code, column in NAME_COLUMNS.items() if value[column]},
                    barcode=value["barcode"],
                    aliases=tuple(a.strip() for a in value["aliases"].split(";") if a.strip()),
                    aisle=value["aisle"],
                    shelf=value["shelf"],
                    stock=int(stock),
                )
            )
    return items, problems


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, accents off, full-width forms made plain: 'Crème' → 'creme'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Search words: Latin words as they are, Chinese one character at a time
    (Chinese has no spaces, and a shopper types any part of a name)."""
    found: list[str] = []
    for word in _WORD.findall(fold(text)):
        if _CJK.search(word):
            found += [ch for ch in word if not ch.isspace()]
        else:
            found.append(word)
    return found
