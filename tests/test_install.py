"""The install command on a staged root: `./run install ... --root DIR --skip-pip`, as docs/deployment.md
says, run for real (real files, the real provision.py with mosquitto_passwd and openssl, systemd-analyze).

--skip-pip leaves the venv bare (its python exists; the packages are a recorded step), which keeps each
install about a second. Touches only its own temporary folders.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["store-assist-kiosk.service", "store-assist-broker.service"]
UNITS += ["store-assist-recorder.service", "store-assist-web.service"]
# The installed paths a unit names, and where the staged install put them.
STAGED_PATHS = ["/opt/store-assist", "/etc/store-assist", "/var/lib/store-assist", "/etc/mosquitto/store-assist"]

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(os.geteuid() != 0, reason="the installer runs as root"),
]


@pytest.fixture
def staged() -> Iterator[Path]:
    """A staged root the mosquitto user can enter (provision.py checks that it could read its files),
    which pytest's staged (mode 0700 above) is not."""
    base = Path(tempfile.mkdtemp(prefix="store-assist-install-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / "run"), *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


def install(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    done = run("install", "--store", "amsterdam-01", "--role", "both", "--root", str(root), "--skip-pip", *extra)
    assert done.returncode == 0, done.stderr
    return done


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_staged_install_writes_the_tree(staged: Path) -> None:
    done = install(staged)
    opt, etc, data = staged / "opt/store-assist", staged / "etc/store-assist", staged / "var/lib/store-assist"
    assert (opt / "app/pyproject.toml").read_bytes() == (ROOT / "pyproject.toml").read_bytes()
    assert (opt / "app/kiosk/main.py").is_file() and (opt / "app/store_server/web_main.py").is_file()
    assert not list((opt / "app").rglob("__pycache__"))
    assert os.access(opt / "venv/bin/python", os.X_OK)
    for name in ("kiosk", "record", "web", ""):
        assert mode(data / name) == 0o750, name
    kiosk = (etc / "kiosk.toml").read_text()
    assert 'id = "amsterdam-01"' in kiosk and 'data_dir = "/var/lib/store-assist/kiosk"' in kiosk
    assert 'username = "kiosk-1"' in kiosk and 'path = "/etc/store-assist/catalog.csv"' in kiosk
    assert "# request and feedback logs" in kiosk, "the shipped comments are kept"
    assert 'data_dir = "/var/lib/store-assist/record"' in (etc / "store.toml").read_text()
    web = (etc / "web.toml").read_text()
    assert 'certificate = "/etc/mosquitto/store-assist/web.crt"' in web
    assert 'data_dir = "/var/lib/store-assist/web"' in web
    assert "config etc/store-assist/web.toml: written" in done.stdout
    # The broker: a user per service, each service's password in its environment file, readable by root only.
    broker = staged / "etc/mosquitto/store-assist"
    users = {line.split(":")[0] for line in (broker / "passwd").read_text().splitlines()}
    assert users == {"recorder", "web", "kiosk-1"}
    assert f"{broker}/passwd" in (broker / "mosquitto.conf").read_text()
    for device in ("recorder", "web", "kiosk-1"):
        env = etc / f"{device}.env"
        assert env.read_text().startswith("STORE_ASSIST_MQTT_PASSWORD=") and mode(env) == 0o640
    try:
        mosquitto = pwd.getpwnam("mosquitto")
    except KeyError:
        mosquitto = None
    if mosquitto:  # provision.py hands the password file to the user Mosquitto drops to
        assert (broker / "passwd").stat().st_gid == mosquitto.pw_gid
    # What a staged root cannot do to the real box is written down instead.
    record = json.loads((opt / "install.json").read_text())
    assert record["user"] == "store-assist" and record["groups"] == ["video", "input", "dialout"]
    assert "staged: chown store-assist:store-assist /var/lib/store-assist/record" in record["steps"]
    assert any(step.startswith("staged: systemctl enable store-assist-kiosk.service") for step in record["steps"])
    units = staged / "etc/systemd/system"
    assert sorted(path.name for path in units.iterdir()) == sorted(UNITS)
    kiosk_unit = (units / "store-assist-kiosk.service").read_text()
    for line in ("Type=notify", "WatchdogSec=30", "NotifyAccess=main", "User=store-assist", "Restart=always"):
        assert f"\n{line}\n" in kiosk_unit, line
    assert "\nSupplementaryGroups=video input dialout\n" in kiosk_unit
    assert "\nSyslogIdentifier=store-assist-kiosk-1\n" in kiosk_unit
    assert "--config /etc/store-assist/kiosk.toml --data-dir /var/lib/store-assist/kiosk" in kiosk_unit
    assert "StartLimitBurst=5" in kiosk_unit and "StartLimitIntervalSec=300" in kiosk_unit
    broker_unit = (units / "store-assist-broker.service").read_text()
    assert "ExecStart=/usr/sbin/mosquitto -c /etc/mosquitto/store-assist/mosquitto.conf" in broker_unit


def staged_copy(unit: Path, root: Path, out: Path) -> Path:
    """The unit with its installed paths pointing into the staged root, so that systemd-analyze finds
    the staged venv's python where the real unit would find /opt/store-assist/venv/bin/python."""
    text = unit.read_text()
    for path in STAGED_PATHS:
        text = text.replace(path, f"{root}{path}")
    (out / unit.name).write_text(text)
    return out / unit.name


@pytest.mark.skipif(not Path("/usr/bin/systemd-analyze").exists(), reason="needs Debian's systemd")
def test_every_unit_passes_systemd_analyze_verify(staged: Path) -> None:
    root, out = staged / "root", staged / "verify"
    out.mkdir()
    root.mkdir(mode=0o755)
    install(root)
    copies = [staged_copy(root / "etc/systemd/system" / name, root, out) for name in UNITS]
    verify = ["/usr/bin/systemd-analyze", "verify", *map(str, copies)]
    done = subprocess.run(verify, capture_output=True, text=True, timeout=30)
    # verify only warns (exit 0) about an unknown key: any word from it is a fault.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    # The check is real: without the venv the same units fail.
    shutil.rmtree(root / "opt/store-assist/venv")
    done = subprocess.run(verify, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "is not executable" in done.stderr


def test_second_install_keeps_configs_data_passwords_and_certificates(staged: Path) -> None:
    install(staged)
    etc, broker = staged / "etc/store-assist", staged / "etc/mosquitto/store-assist"
    record = staged / "var/lib/store-assist/record/2026-12-02T10.json"
    record.write_text('{"requests": {}}')
    kiosk = etc / "kiosk.toml"
    kiosk.write_text(kiosk.read_text().replace("idle_timeout = 90", "idle_timeout = 120"))
    # As if the last install had shipped an older default web.toml, which the store then changed.
    (etc / ".shipped/web.toml").write_text("# the default of an older version\n")
    web = etc / "web.toml"
    web.write_text(web.read_text().replace("port = 8080", "port = 8443"))
    kept = {path: path.read_bytes() for path in [kiosk, web, record, etc / "web.env", broker / "passwd"]}
    kept |= {broker / name: (broker / name).read_bytes() for name in ("ca.crt", "ca.key", "server.crt", "web.key")}
    (staged / "opt/store-assist/app/stale.py").write_text("# gone after an upgrade\n")

    done = install(staged)

    for path, content in kept.items():
        assert path.read_bytes() == content, path
    assert not (etc / "kiosk.toml.new").exists(), "the store's own change is no reason for a .new"
    assert (etc / "web.toml.new").read_text() == (etc / ".shipped/web.toml").read_text()
    assert 'data_dir = "/var/lib/store-assist/web"' in (etc / "web.toml.new").read_text()
    assert "config etc/store-assist/web.toml: kept; the new default is beside it as web.toml.new" in done.stdout
    assert not (staged / "opt/store-assist/app/stale.py").exists()
    assert not (staged / "opt/store-assist/app.new").exists()


def test_uninstall_keeps_data_and_config_unless_purged(staged: Path) -> None:
    install(staged)
    record = staged / "var/lib/store-assist/record/2026-12-02T10.json"
    record.write_text('{"requests": {}}')
    done = run("uninstall", "--root", str(staged))
    assert done.returncode == 0, done.stderr
    assert not (staged / "opt/store-assist").exists()
    assert not list((staged / "etc/systemd/system").glob("store-assist-*"))
    assert record.read_text() == '{"requests": {}}'
    assert (staged / "etc/store-assist/kiosk.toml").exists()
    assert (staged / "etc/mosquitto/store-assist/passwd").exists()
    assert "kept /var/lib/store-assist" in done.stdout

    done = run("uninstall", "--purge", "--root", str(staged))
    assert done.returncode == 0, done.stderr
    for path in ("var/lib/store-assist", "etc/store-assist", "etc/mosquitto/store-assist"):
        assert not (staged / path).exists(), path


def test_a_bad_store_id_is_refused_and_writes_nothing(staged: Path) -> None:
    done = run("install", "--store", "store 1!", "--role", "server", "--root", str(staged), "--skip-pip")
    assert done.returncode == 2
    assert "--store and --kiosk-id" in done.stderr
    assert list(staged.iterdir()) == []


def test_a_kiosk_box_gets_the_kiosk_only_and_reaches_the_broker_over_tls(staged: Path) -> None:
    command = ["install", "--store", "amsterdam-01", "--role", "kiosk", "--kiosk-id", "kiosk-2"]
    done = run(*command, "--hostname", "broker.store.lan", "--root", str(staged), "--skip-pip")
    assert done.returncode == 0, done.stderr
    assert [path.name for path in (staged / "etc/systemd/system").iterdir()] == ["store-assist-kiosk.service"]
    assert not (staged / "etc/mosquitto").exists(), "the broker is the server's"
    assert sorted(path.name for path in (staged / "var/lib/store-assist").iterdir()) == ["kiosk"]
    kiosk = (staged / "etc/store-assist/kiosk.toml").read_text()
    assert 'url = "mqtts://broker.store.lan:8883"' in kiosk and 'ca_file = "/etc/store-assist/ca.crt"' in kiosk
    assert 'id = "kiosk-2"' in kiosk
    unit = (staged / "etc/systemd/system/store-assist-kiosk.service").read_text()
    assert (
        "SyslogIdentifier=store-assist-kiosk-2\n" in unit and "EnvironmentFile=-/etc/store-assist/kiosk-2.env" in unit
    )
    steps = json.loads((staged / "opt/store-assist/install.json").read_text())["steps"]
    assert not any("mosquitto.service" in step for step in steps), "a kiosk box leaves Debian's Mosquitto alone"


def test_the_installed_copy_can_run_the_upgrade_itself(staged: Path) -> None:
    install(staged)
    installed = staged / "opt/store-assist/app"
    command = [str(installed / "run"), "install", "--store", "amsterdam-01", "--role", "both"]
    command += ["--root", str(staged), "--skip-pip"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=installed)
    assert done.returncode == 0, done.stderr
    assert (installed / "install/installer.py").read_bytes() == (ROOT / "install/installer.py").read_bytes()
    assert len(list((staged / "etc/systemd/system").glob("store-assist-*.service"))) == 4
    assert "config etc/store-assist/kiosk.toml: kept" in done.stdout
