"""The apps' .kv files, read as text: layout only (no App method does work
from a .kv), rules only for our own classes, each file loaded by one module.
Kivy applies a rule for one of its own classes (`<Label>:`) to every such
widget of every app in the process, and a .kv loaded twice applies its rules
twice (docs/architecture.md, Kivy)."""

from __future__ import annotations

import re
from pathlib import Path

import kivy

ROOT = Path(__file__).resolve().parent.parent
APPS = ("kiosk", "staff_pager")
RULE = re.compile(r"^<([^>]+)>:", re.M)
APP_CALL = re.compile(r"\bapp\.(\w+)\(")


def layouts() -> list[Path]:
    return [path for app in APPS for path in sorted((ROOT / app).glob("*.kv"))]


def kivys_classes() -> set[str]:
    """Every class Kivy's Factory knows by name before an app registers its own."""
    registers = (Path(kivy.__file__).parent / "factory_registers.py").read_text(encoding="utf-8")
    return set(re.findall(r"^r\('(\w+)'", registers, re.M))


def our_classes() -> set[str]:
    defined = re.compile(r"^class (\w+)\(", re.M)
    return {name for app in APPS for path in (ROOT / app).glob("*.py") for name in defined.findall(path.read_text())}


def test_layouts_call_no_app_method_but_its_translation() -> None:
    """Screens dispatch events and the App binds them; a .kv reads the App's
    properties (palette, text_scale, language) and asks it for words only."""
    for path in layouts():
        called = set(APP_CALL.findall(path.read_text(encoding="utf-8")))
        assert called <= {"tr"}, f"{path.name} calls app.{sorted(called - {'tr'})}"


def test_every_rule_is_for_a_class_of_ours_never_for_one_of_kivys() -> None:
    ours, kivys = our_classes(), kivys_classes()
    assert {"Label", "TextInput", "Button"} <= kivys  # the list itself is read
    for path in layouts():
        for selector in RULE.findall(path.read_text(encoding="utf-8")):
            for name in (part.strip().lstrip("-") for part in selector.split(",")):
                if "@" in name:  # a class made in the .kv, on a base of Kivy's or of ours
                    name = name.split("@")[0]
                    assert name not in kivys, f"{path.name}: <{name}@…> takes the name of a Kivy class"
                else:
                    assert name in ours, f"{path.name}: <{name}> is a rule for a class that is not ours"


def test_each_layout_is_loaded_by_exactly_one_module() -> None:
    sources = [path for app in APPS for path in (ROOT / app).glob("*.py")]
    for layout in layouts():
        loaders = [path.name for path in sources if f'"{layout.name}"' in path.read_text(encoding="utf-8")]
        assert len(loaders) == 1, f"{layout.name} is named by {loaders or 'no module'}"
