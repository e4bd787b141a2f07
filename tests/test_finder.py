"""The item finder: the catalog CSV with its bad rows, and typo-tolerant search in every language."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.rapidfuzz_similar import similar
from core.catalog import parse_rows
from core.finder import Finder
from kiosk.catalog_file import CatalogError, load_catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def finder() -> Finder:
    items, problems = load_catalog(ROOT / "config" / "catalog.csv")
    assert problems == [] and len(items) >= 40  # the demo catalog is clean
    return Finder(items, similar)


def names(found: list) -> list[str]:  # type: ignore[type-arg]
    return [item.names["en"] for item in found]


@pytest.mark.parametrize(
    "query, first",
    [
        ("blu pant", "Wall paint blue matt 2.5 l"),  # two typos
        ("blauwe verf", "Wall paint blue matt 2.5 l"),  # Dutch
        ("Muurverf blauw", "Wall paint blue matt 2.5 l"),
        ("蓝色", "Wall paint blue matt 2.5 l"),  # Simplified Chinese, part of a name
        ("藍色", "Wall paint blue matt 2.5 l"),  # Traditional
        ("电钻", "Cordless drill 18 V"),
        ("hamer", "Claw hammer 450 g"),  # Dutch word, and an English typo
        ("stopcontact", "Wall socket with earth"),  # an alias
        ("8710103005019", "LED bulb E27 806 lm"),  # a scanned barcode
        ("elc-1003", "Extension lead 3 sockets 3 m"),  # a sku, any case
        ("kwast", "Paint brush set 3 pieces"),  # inside a Dutch compound: kwastenset
    ],
)
def test_a_shopper_finds_the_item_however_they_type_it(finder: Finder, query: str, first: str) -> None:
    found = finder.search(query)
    assert found and names(found)[0] == first


def test_every_typed_word_must_match_and_typing_more_narrows_it_down(finder: Finder) -> None:
    assert len(finder.search("paint")) > len(finder.search("paint blue"))
    assert finder.search("paint zebra") == []
    assert finder.search("") == [] and finder.search("  !! ") == []
    assert finder.search("b") == [], "one Latin letter waits for the next"
    assert names(finder.search("锤")) == ["Claw hammer 450 g"], "one Chinese character is a word"


def test_results_carry_aisle_shelf_and_stock(finder: Finder) -> None:
    [seed] = finder.search("lawn seed", limit=1)
    assert (seed.aisle, seed.shelf, seed.stock) == ("20", "C", 0)
    assert seed.name("zh_Hant") == "草籽 1公斤" and seed.name("xx") == "Lawn seed 1 kg"


def test_bad_rows_are_reported_by_line_and_the_rest_is_kept() -> None:
    rows = [
        {"sku": "A-1", "name_en": "Hammer", "stock": "3", "barcode": "123"},
        {"sku": "", "name_en": "Nameless"},
        {"sku": "A-2", "name_en": ""},
        {"sku": "A-3", "name_en": "Saw", "stock": "-1"},
        {"sku": "A-1", "name_en": "Hammer again"},
        {"sku": "A-4", "name_en": "Drill", "barcode": "123"},
        {"sku": "A-5", "name_en": "Tape", "barcode": "12x"},
        {"sku": "A-6", "name_en": "Glue\x1b[2J", "stock": None, "aliases": "lijm; ;胶"},
    ]
    items, problems = parse_rows(rows)
    assert [i.sku for i in items] == ["A-1", "A-6"]
    assert items[1].names["en"] == "Glue[2J" and items[1].aliases == ("lijm", "胶") and items[1].stock == 0
    assert [str(p) for p in problems] == [
        "line 3: no sku",
        "line 4: sku A-2: no English name (name_en)",
        "line 5: sku A-3: stock must be a whole number, got '-1'",
        "line 6: sku A-1 appears twice",
        "line 7: sku A-4: barcode 123 belongs to another item",
        "line 8: sku A-5: barcode must be digits, got '12x'",
    ]


def test_a_catalog_file_that_cannot_be_used_says_why(tmp_path: Path) -> None:
    (tmp_path / "no_sku.csv").write_text("name,price\nHammer,3\n", encoding="utf-8")
    (tmp_path / "latin1.csv").write_bytes("sku,name_en\nA-1,Cr\xe8me\n".encode("latin-1"))
    (tmp_path / "excel.csv").write_text("\ufeffsku,name_en,stock\nA-1,Hammer,2\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="missing column.*sku, name_en"):
        load_catalog(tmp_path / "no_sku.csv")
    with pytest.raises(CatalogError, match="not a UTF-8 CSV"):
        load_catalog(tmp_path / "latin1.csv")
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.csv")
    items, problems = load_catalog(tmp_path / "excel.csv")  # Excel's BOM is fine
    assert [i.sku for i in items] == ["A-1"] and problems == []
