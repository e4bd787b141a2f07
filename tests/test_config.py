"""Config files and flags: defaults, overrides, one clear message per mistake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shell.config import ConfigError, KioskConfig, load_kiosk, load_pager
from tests.processes import run_to_end

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_files_are_the_defaults() -> None:
    assert load_kiosk(ROOT / "config" / "kiosk.toml") == KioskConfig()
    assert load_pager(ROOT / "config" / "pager.toml").device.id == "pager-1"


def test_escalation_limits_are_read_per_request_type(tmp_path: Path) -> None:
    from core.model import Kind

    config = load_kiosk(write(tmp_path, "[escalation]\nreturn = [30, 90, 240]\n"))
    limits = config.escalation.limits()
    assert limits[Kind.RETURN].as_tuple() == (30, 90, 240)
    assert limits[Kind.HELP].as_tuple() == (60, 180, 300)


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[broker]\nurl = "mqtt://10.0.0.2:1883"\n[printer]\nport = "/dev/ttyUSB0"\n')
    config = load_kiosk(path, broker_url="mqtt://127.0.0.1:1999", printer_port=None, store_id="s-7")
    assert config.broker.url == "mqtt://127.0.0.1:1999"
    assert config.printer.port == "/dev/ttyUSB0"
    assert config.store.id == "s-7"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[printer]\nbaudrate = "fast"\n', "printer.baudrate: expected int, got str 'fast'"),
        (
            "[printer]\nbaudrate = 1200\n",
            "printer.baudrate: expected one of 9600, 19200, 38400, 57600, 115200, got 1200",
        ),
        ('[broker]\nurl = "http://x"\n', "broker.url: expected mqtt://host:port"),
        ('[store]\nid = "a/b"\n', "store.id: letters, digits"),
        ('[store]\ntimezone = "Mars/Olympus"\n', "store.timezone: unknown time zone"),
        ("[printer]\nspeed = 3\n", "printer.speed: unknown key"),
        ("[printers]\n", "printers: unknown section"),
        ("[kiosk]\nidle_timeout = 2\n", "kiosk.idle_timeout: must be at least 10"),
        ('[kiosk]\non_screen_keyboard = "yes"\n', "kiosk.on_screen_keyboard: expected bool, got str 'yes'"),
        ('[kiosk]\nwindow = "portrait"\n', "kiosk.window: expected one of 'upright', 'wide', got 'portrait'"),
        ("not toml ===", "not valid TOML"),
        ("[escalation]\nhelp = [60, 30, 300]\n", "escalation.help: expected three increasing numbers"),
        ('[escalation]\nreturn = [60, "x", 300]\n', "escalation.return: expected a list of whole numbers"),
        ("[broker]\nsession_expiry = -5\n", "broker.session_expiry: expected 0 to 604800 seconds"),
        ('[printer]\nparity = "mark"\n', "printer.parity: expected one of 'none', 'even', 'odd', got 'mark'"),
        ('[printer]\nflow_control = "cts"\n', "printer.flow_control: expected one of 'none', 'rtscts'"),
        ("[printer]\npaper_width = 76\n", "printer.paper_width: expected one of 58, 80, got 76"),
        ('[printer]\ndouble_byte = "shift_jis"\n', "printer.double_byte: expected one of '', 'gb18030', 'big5'"),
        (
            '[printer]\nqr_url = "https://x/{id}"\n',
            "printer.qr_url: unknown placeholder {id}; use {request_id}, {ticket}, {store}, {kiosk}, {token}",
        ),
        ('[printer]\nqr_url = "https://x/{"\n', "printer.qr_url: Single '{' encountered"),
        ('[printer]\nqr_url = "https://x/ä"\n', "printer.qr_url: use a plain ASCII link"),
    ],
)
def test_each_mistake_is_named_by_its_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        load_kiosk(write(tmp_path, text))


def test_the_qr_link_may_carry_the_phone_token(tmp_path: Path) -> None:
    link = "https://assist.store.example:8443/t/{token}"
    assert load_kiosk(write(tmp_path, f'[printer]\nqr_url = "{link}"\n')).printer.qr_url == link


def start_kiosk(config: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The headless kiosk as a real process, with no input: it stops at once or at the end of input."""
    return run_to_end("run_kiosk.py", "--headless", "--config", str(config), "--data-dir", str(data_dir))


def test_a_bad_config_stops_the_kiosk_with_one_message_and_starts_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = start_kiosk(write(tmp_path, "[printer]\nbaudrate = 1200\n"), data_dir)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "config error: printer.baudrate: expected one of 9600, 19200, 38400, 57600, 115200, got 1200"
    ]
    assert result.stdout == ""
    assert not data_dir.exists()


def test_the_kiosk_without_a_display_says_how_to_run_headless(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "run_kiosk.py", "--data-dir", str(tmp_path / "d")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert "python run_kiosk.py --headless" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_console_pager_needs_a_name() -> None:
    result = subprocess.run(
        [sys.executable, "run_pager.py", "--console"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and "--staff NAME" in result.stderr


def test_a_printer_profile_python_escpos_does_not_know_stops_the_kiosk_at_start(tmp_path: Path) -> None:
    result = start_kiosk(write(tmp_path, '[printer]\nport = "loop://"\nprofile = "TM-NOPE"\n'), tmp_path / "data")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "config error: printer.profile: unknown printer profile 'TM-NOPE' (not in python-escpos's capabilities)"
    ]
    assert not (tmp_path / "data").exists(), "nothing started"
