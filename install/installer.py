"""Install, upgrade and uninstall Store Assist on a Debian 12 / Raspberry Pi OS box (as root).

    python3 install/installer.py install --store amsterdam-01 --role both [--root DIR]
    python3 install/installer.py uninstall [--purge] [--root DIR]

Where things go (every path below under --root, default /):

- /opt/store-assist/app      a copy of the code; /opt/store-assist/venv its venv (pip install of app);
- /etc/store-assist/         the configs, from config/*.toml with this store's id, devices and paths;
                             kept on every re-run; `<name>.toml.new` beside one whose shipped default changed;
- /var/lib/store-assist/     the data (kiosk, record, web), owned by the store-assist user, mode 0750;
- /etc/mosquitto/store-assist  the broker (server and both roles), by broker_config/provision.py;
- /etc/systemd/system/store-assist-*.service  the units, from install/units/.

With --root other than /, nothing outside DIR is touched: no user is created, nothing is chowned to it,
systemctl is not run; those steps are written to DIR/opt/store-assist/install.json instead (with /, the
same file records what was done). Standard library only: it runs with the system's python3, before the
venv exists. Touches only the paths above, and runs python3 -m venv, pip, provision.py (mosquitto_passwd,
openssl), useradd, usermod, chgrp and systemctl.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
USER = "store-assist"
KIOSK_GROUPS = ["video", "input", "dialout"]
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
OPT, ETC, DATA, BROKER = "opt/store-assist", "etc/store-assist", "var/lib/store-assist", "etc/mosquitto/store-assist"
UNITS_DIR = "etc/systemd/system"
# What the copy of the code takes: the packages of pyproject.toml and what building them needs.
CODE = [
    "core",
    "shell",
    "adapters",
    "kiosk",
    "staff_pager",
    "printer",
    "manager",
    "store_server",
    "demo",
    "broker_config",
    "config",
    "install",
    "pyproject.toml",
    "README.md",
    "run",
]
ROLES = {
    # role: (configs, units, data folders)
    "kiosk": (["kiosk.toml", "catalog.csv"], ["store-assist-kiosk.service"], ["kiosk"]),
    "server": (
        ["store.toml", "web.toml"],
        ["store-assist-broker.service", "store-assist-recorder.service", "store-assist-web.service"],
        ["record", "web"],
    ),
}


def fail(message: str) -> None:
    print(f"install: {message}", file=sys.stderr)
    sys.exit(2)


def parts(role: str) -> tuple[list[str], list[str], list[str]]:
    chosen = ["kiosk", "server"] if role == "both" else [role]
    configs, units, data = [], [], []
    for name in chosen:
        configs += ROLES[name][0]
        units += ROLES[name][1]
        data += ROLES[name][2]
    return configs, units, data


def set_values(text: str, values: dict[tuple[str, str], str]) -> str:
    """`text` (a shipped TOML file) with the value of each (section, key) replaced, its comment kept."""
    section, lines = "", []
    for line in text.splitlines(keepends=True):
        header = re.match(r"^\[([A-Za-z0-9_.-]+)\]\s*$", line)
        if header:
            section = header.group(1)
        found = re.match(r'^([A-Za-z0-9_]+)(\s*=\s*)("[^"]*"|[^\s#]+)(.*)$', line, re.DOTALL)
        if found and (section, found.group(1)) in values:
            value = json.dumps(values[(section, found.group(1))])
            line = f"{found.group(1)}{found.group(2)}{value}{found.group(4)}"
        lines.append(line)
    return "".join(lines)


def rendered_config(app: Path, name: str, args: argparse.Namespace) -> str:
    """The shipped config/<name> as this box's default: its store, devices and the installed paths."""
    text = (app / "config" / name).read_text(encoding="utf-8")
    if not name.endswith(".toml"):
        return text
    on_server = args.role in ("server", "both")
    values = {("store", "id"): args.store}
    if name == "kiosk.toml":
        values |= {
            ("device", "id"): args.kiosk_id,
            ("storage", "data_dir"): f"/{DATA}/kiosk",
            ("catalog", "path"): f"/{ETC}/catalog.csv",
            ("broker", "username"): args.kiosk_id,
        }
        if not on_server:  # the broker is on the store server: TLS, with the store CA copied from there
            values |= {("broker", "url"): f"mqtts://{args.hostname}:8883", ("broker", "ca_file"): f"/{ETC}/ca.crt"}
    elif name == "store.toml":
        values |= {("recorder", "data_dir"): f"/{DATA}/record", ("broker", "username"): "recorder"}
    elif name == "web.toml":
        values |= {("web", "data_dir"): f"/{DATA}/web", ("broker", "username"): "web"}
        if on_server:
            values |= {("web", "certificate"): f"/{BROKER}/web.crt", ("web", "key"): f"/{BROKER}/web.key"}
    return set_values(text, values)


def write_configs(root: Path, names: list[str], args: argparse.Namespace) -> list[str]:
    """Each config written once and then left alone. The default it was made from is kept in
    .shipped/, so a re-run can tell a store's own change (kept, nothing said) from a changed default
    (written beside it as <name>.new for the store to merge)."""
    etc, shipped = root / ETC, root / ETC / ".shipped"
    shipped.mkdir(parents=True, exist_ok=True)
    said = []
    for name in names:
        default = rendered_config(root / OPT / "app", name, args)
        target, previous = etc / name, shipped / name
        if not target.exists():
            target.write_text(default, encoding="utf-8")
            said.append(f"config {target.relative_to(root)}: written")
        elif target.read_text(encoding="utf-8") != default and (
            not previous.exists() or previous.read_text(encoding="utf-8") != default
        ):
            (etc / f"{name}.new").write_text(default, encoding="utf-8")
            said.append(f"config {target.relative_to(root)}: kept; the new default is beside it as {name}.new")
        else:
            (etc / f"{name}.new").unlink(missing_ok=True)
            said.append(f"config {target.relative_to(root)}: kept")
        previous.write_text(default, encoding="utf-8")
        target.chmod(0o644)
    return said


def copy_code(root: Path) -> None:
    """The code replaced as a whole: copied beside the old one, then swapped in. Everything after
    this reads the installed copy, so the installer may also run from /opt/store-assist/app itself."""
    opt = root / OPT
    fresh, app, old = opt / "app.new", opt / "app", opt / "app.old"
    for path in (fresh, old):
        shutil.rmtree(path, ignore_errors=True)
    fresh.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for name in CODE:
        source = SOURCE / name
        if source.is_dir():
            shutil.copytree(source, fresh / name, ignore=skip)
        else:
            shutil.copy2(source, fresh / name)
    if app.exists():
        app.rename(old)
    fresh.rename(app)
    shutil.rmtree(old, ignore_errors=True)


def make_venv(root: Path, skip_pip: bool, steps: list[str]) -> None:
    """The venv, and the app installed into it from its pyproject. With skip_pip (the staged tests),
    a bare venv only: the units' python exists, the packages are a recorded step."""
    venv, app = root / OPT / "venv", root / OPT / "app"
    if skip_pip:
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        steps.append(f"skipped: {venv}/bin/python -m pip install {app}")
        return
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    # From a local folder pip always rebuilds and reinstalls: an upgrade takes the new code.
    subprocess.run([*pip, "--upgrade", str(app)], check=True)
    steps.append(f"done: pip install {app}")


def ensure_user(root: Path, kiosk: bool, steps: list[str]) -> None:
    groups = KIOSK_GROUPS if kiosk else []
    if root != Path("/"):
        steps.append(f"staged: user {USER} (system, home /{DATA}, no login) in groups {groups}")
        return
    try:
        subprocess.run(["id", USER], check=True, capture_output=True)
    except subprocess.CalledProcessError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--home-dir", f"/{DATA}", "--shell", "/usr/sbin/nologin", USER],
            check=True,
        )
        steps.append(f"done: created user {USER}")
    if groups:
        subprocess.run(["usermod", "--append", "--groups", ",".join(groups), USER], check=True)
        steps.append(f"done: {USER} in groups {groups}")


def make_data_dirs(root: Path, names: list[str], steps: list[str]) -> None:
    """Data folders are created once and never emptied; only their owner and mode are set again."""
    for name in ["", *names]:
        folder = root / DATA / name
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o750)
        if root == Path("/"):
            shutil.chown(folder, USER, USER)
        else:
            steps.append(f"staged: chown {USER}:{USER} /{DATA}/{name}".rstrip("/"))


def provision_broker(root: Path, args: argparse.Namespace, steps: list[str]) -> None:
    """The broker's users, ACL, certificates and config (provision.py keeps existing passwords and
    certificates), then each service's password in /etc/store-assist/<device>.env, written once."""
    devices = ["recorder:recorder", "web:web"]
    if args.role == "both":
        devices.append(f"kiosk:{args.kiosk_id}")
    out = root / BROKER
    command = [
        sys.executable,
        str(root / OPT / "app/broker_config/provision.py"),
        "--store",
        args.store,
        "--out",
        str(out),
    ]
    command += ["--hostname", args.hostname, *devices]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    sheet = out / "passwords.txt"
    passwords = (
        dict(line.split(" ", 1) for line in sheet.read_text().splitlines() if " " in line) if sheet.exists() else {}
    )
    for spec in devices:
        device = spec.split(":", 1)[1]
        env = root / ETC / f"{device}.env"
        if env.exists() or device not in passwords:
            continue
        descriptor = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(f"STORE_ASSIST_MQTT_PASSWORD={passwords[device].strip()}\n")
        if root == Path("/"):
            shutil.chown(env, "root", USER)
        else:
            steps.append(f"staged: chgrp {USER} /{ETC}/{device}.env")
    if root == Path("/"):
        shutil.chown(out / "web.key", "root", USER)
    else:
        steps.append(f"staged: chgrp {USER} /{BROKER}/web.key")


def write_units(root: Path, names: list[str], args: argparse.Namespace) -> None:
    units = root / UNITS_DIR
    units.mkdir(parents=True, exist_ok=True)
    fills = {"@STORE@": args.store, "@KIOSK_ID@": args.kiosk_id, "@OPT@": f"/{OPT}", "@ETC@": f"/{ETC}"}
    fills |= {"@DATA@": f"/{DATA}", "@BROKER@": f"/{BROKER}"}
    for name in names:
        text = (root / OPT / "app/install/units" / name).read_text(encoding="utf-8")
        for mark, value in fills.items():
            text = text.replace(mark, value)
        (units / name).write_text(text, encoding="utf-8")
        (units / name).chmod(0o644)


def systemctl(root: Path, steps: list[str], *commands: list[str]) -> None:
    for command in commands:
        if root == Path("/") and shutil.which("systemctl"):
            subprocess.run(["systemctl", *command], check=False)
            steps.append(f"done: systemctl {' '.join(command)}")
        else:
            steps.append(f"staged: systemctl {' '.join(command)}")


def install(args: argparse.Namespace) -> int:
    if not ID.match(args.store) or not ID.match(args.kiosk_id):
        fail("--store and --kiosk-id: 1-64 letters, digits, '-' or '_'")
    root = args.root.resolve()
    configs, units, data = parts(args.role)
    steps: list[str] = []
    ensure_user(root, "kiosk" in data, steps)
    copy_code(root)
    make_venv(root, args.skip_pip, steps)
    said = write_configs(root, configs, args)
    make_data_dirs(root, data, steps)
    if args.role in ("server", "both"):
        provision_broker(root, args, steps)
    write_units(root, units, args)
    disable = [["disable", "--now", "mosquitto.service"]] if args.role != "kiosk" else []
    systemctl(root, steps, *disable, ["daemon-reload"], ["enable", *units], ["restart", *units])
    record = {"store": args.store, "role": args.role, "kiosk_id": args.kiosk_id, "user": USER}
    record |= {"groups": KIOSK_GROUPS if "kiosk" in data else [], "units": units, "steps": steps}
    (root / OPT / "install.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for line in [*said, *(f"units: {', '.join(units)}",)]:
        print(line)
    return 0


def uninstall(args: argparse.Namespace) -> int:
    """Code, venv and units go; data, configs and the broker's folder stay unless --purge."""
    root = args.root.resolve()
    units = sorted(path.name for path in (root / UNITS_DIR).glob("store-assist-*.service"))
    steps: list[str] = []
    if units:
        systemctl(root, steps, ["disable", "--now", *units])
    for name in units:
        (root / UNITS_DIR / name).unlink()
    shutil.rmtree(root / OPT, ignore_errors=True)
    if units:
        systemctl(root, steps, ["daemon-reload"])
    kept = [f"/{DATA}", f"/{ETC}", f"/{BROKER}"]
    if args.purge:
        for path in kept:
            shutil.rmtree(root / path.lstrip("/"), ignore_errors=True)
        print(f"removed the code, the units and {', '.join(kept)}")
    else:
        print(f"removed the code and the units; kept {', '.join(kept)} (--purge removes them)")
    for step in steps:
        print(step)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run", description="Install Store Assist on this box (as root)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("install", help="install, or upgrade in place (data, configs and passwords kept)")
    add.add_argument("--store", required=True, help="store id (letters, digits, - and _)")
    add.add_argument("--role", required=True, choices=["kiosk", "server", "both"], help="what this box runs")
    add.add_argument("--kiosk-id", default="kiosk-1", help="this box's kiosk device id (default %(default)s)")
    add.add_argument("--hostname", default="store-broker.local", help="the broker's name on the store network")
    add.add_argument("--skip-pip", action="store_true", help="a bare venv, no packages (for tests of the tree)")
    remove = commands.add_parser("uninstall", help="remove the code and units; keep data and config")
    remove.add_argument("--purge", action="store_true", help="remove the data, configs and broker folder too")
    for sub in (add, remove):
        sub.add_argument("--root", type=Path, default=Path("/"), help="install under this folder instead of /")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        fail("run it as root (sudo ./run install ...)")
    return install(args) if args.command == "install" else uninstall(args)


if __name__ == "__main__":
    sys.exit(main())
