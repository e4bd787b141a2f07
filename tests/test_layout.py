"""The architecture, checked by reading imports: core ← shell ← adapters ← apps."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "shell", "adapters", "printer", "kiosk", "staff_pager", "manager", "store_server", "demo")

# Each library is imported by exactly these files (tests aside).
OWNERS = {
    "paho": {"adapters/paho_transport.py"},
    "tinydb": {"adapters/tinydb_store.py"},
    "escpos": {"printer/ticket_layout.py"},
    "serial": {"printer/serial_port.py"},
    "babel": {"adapters/babel_catalogs.py"},
    "rapidfuzz": {"adapters/rapidfuzz_similar.py"},
    "xlsxwriter": {"manager/report_xlsx.py"},
    "orjson": {"adapters/partition_files.py"},
    "starlette": {"adapters/starlette_web.py"},
    "uvicorn": {"adapters/uvicorn_server.py"},
    "argon2": {"adapters/argon2_hash.py"},
}

# What each layer may import from the project.
ALLOWED = {
    "core": {"core"},
    "shell": {"core", "shell"},
    "adapters": {"core", "shell", "adapters"},
    "printer": {"core", "shell", "printer"},
    "manager": {"core", "shell", "adapters", "manager"},
    "store_server": {"core", "shell", "adapters", "store_server"},
    "kiosk": {"core", "shell", "adapters", "printer", "kiosk"},
    "staff_pager": {"core", "shell", "adapters", "staff_pager"},
    "demo": {"core", "shell", "adapters", "demo"},  # adapters/x_screen.py measures the screen, as for the apps
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def sources() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).glob("*.py"))]


def test_the_core_imports_only_the_standard_library() -> None:
    for path in (ROOT / "core").glob("*.py"):
        outside = {name for name in imports(path) if name not in sys.stdlib_module_names and name != "core"}
        assert not outside, f"{path.name} imports {outside}"
        assert not imports(path) & {"time", "socket", "threading", "os", "io", "logging"}, path.name


def test_each_library_is_imported_by_its_adapter_only() -> None:
    for path in sources():
        rel = path.relative_to(ROOT).as_posix()
        for library, owners in OWNERS.items():
            if library in imports(path):
                assert rel in owners, f"{rel} imports {library}; only {owners} may"


def test_layers_import_only_what_is_below_them() -> None:
    for path in sources():
        layer = path.relative_to(ROOT).parts[0]
        project = imports(path) & set(PACKAGES)
        assert project <= ALLOWED[layer], f"{path.relative_to(ROOT)} imports {project - ALLOWED[layer]}"


def test_no_source_file_is_over_400_lines() -> None:
    for path in [*sources(), *ROOT.glob("*.py")]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines"


def test_no_kv_layout_is_over_400_lines_either() -> None:
    for path in [p for package in PACKAGES for p in sorted((ROOT / package).glob("*.kv"))]:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines"


STAFF_ACTION_WORDS = {"claim", "release", "resolve"}


def test_no_module_outside_the_core_decides_what_an_action_may_do() -> None:
    """What a staff member may do is core/lifecycle.py's to say: elsewhere no
    code compares an action with a word or looks at the transition table."""
    for path in sources():
        if path.parts[-2] == "core":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Name) and node.id == "TRANSITIONS"), f"{path.name} reads TRANSITIONS"
            if not isinstance(node, ast.Compare):
                continue
            names = {n.id for n in [node.left, *node.comparators] if isinstance(n, ast.Name)}
            words = {
                c.value
                for side in [node.left, *node.comparators]
                for c in ast.walk(side)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
            assert not ("action" in names and words & STAFF_ACTION_WORDS), (
                f"{path.relative_to(ROOT)}:{node.lineno} decides on an action by its word"
            )
