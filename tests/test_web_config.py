"""config/web.toml: the web service's settings, every mistake named by its key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.model import Kind
from core.phone import TOKEN_GRACE
from shell.config import ConfigError
from shell.web_config import WebConfig, default_web_config, is_loopback, load_web
from tests.web_process import make_certificates

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "web.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_holds_every_default_and_comments_every_key() -> None:
    assert default_web_config() == ROOT / "config" / "web.toml"
    assert load_web(default_web_config()) == WebConfig()
    assert WebConfig().web.token_grace == TOKEN_GRACE
    for line in (ROOT / "config" / "web.toml").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            assert "#" in line, f"no comment: {line}"


def test_values_are_read_as_written_and_flags_win(tmp_path: Path) -> None:
    path = write(tmp_path, '[web]\nport = 9000\nhelp_target = 120\ntoken_grace_minutes = 1\npublic_url = "http://x/"\n')
    config = load_web(path, web_port=9100, web_data_dir="/tmp/w")
    assert (config.web.port, config.web.data_dir) == (9100, "/tmp/w")
    assert config.web.targets() == {Kind.FIND: 60, Kind.RETURN: 60, Kind.HELP: 120}
    assert config.web.token_grace == timedelta(minutes=1)
    assert config.web.public_url == "http://x"  # the QR's "<public_url>/t/{token}" gets one slash
    assert config.device.id == "web"


def test_https_needs_both_files_and_takes_real_ones(tmp_path: Path) -> None:
    _ca, cert, key = make_certificates(tmp_path / "tls")
    config = load_web(write(tmp_path, f'[web]\nlisten = "0.0.0.0"\ncertificate = "{cert}"\nkey = "{key}"\n'))
    assert config.web.tls
    with pytest.raises(ConfigError, match=r"^web\.key: give both web\.certificate and web\.key"):
        load_web(write(tmp_path, f'[web]\ncertificate = "{cert}"\n'))
    with pytest.raises(ConfigError, match=r"^web\.certificate: .* is not a PEM certificate"):
        load_web(write(tmp_path, f'[web]\ncertificate = "{key}"\nkey = "{key}"\n'))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[web]\nlisten = "0.0.0.0"', "web.listen: '0.0.0.0' without web.certificate and web.key would send PINs"),
        ('[web]\nlisten = "192.168.1.5"', "web.listen: '192.168.1.5' without web.certificate"),
        ('[web]\nkey = "/nowhere.key"', "web.certificate: give both web.certificate and web.key, or neither"),
        ('[web]\ncertificate = "/nowhere.crt"\nkey = "/nowhere.key"', "web.certificate: cannot read /nowhere.crt"),
        (
            '[web]\npublic_url = "ftp://store"',
            "web.public_url: expected http(s)://host[:port][/path], got 'ftp://store'",
        ),
        ('[web]\npublic_url = "https://store/?a=1"', "web.public_url: expected http(s)://host"),
        ("[web]\nport = 0", "web.port: expected 1 to 65535, got 0"),
        ('[web]\nport = "80"', "web.port: expected int, got str '80'"),
        ("[web]\nsession_hours = 0", "web.session_hours: expected 1 to 168 hours, got 0"),
        ("[web]\nlockout_failures = 0", "web.lockout_failures: expected 1 to 100, got 0"),
        ("[web]\nlockout_minutes = 0", "web.lockout_minutes: expected 1 to 1440 minutes, got 0"),
        ("[web]\nreturn_target = 5", "web.return_target: expected 10 to 3600 seconds, got 5"),
        ("[web]\ntoken_grace_minutes = -1", "web.token_grace_minutes: expected 0 to 1440 minutes, got -1"),
        ('[web]\nproxies = "10.0.0.1, guest-proxy"', "web.proxies: 'guest-proxy' is not an IP address"),
        ('[web]\ndata_dir = ""', "web.data_dir: must not be empty"),
        ("[web]\nhttps = true", "web.https: unknown key"),
        ('[broker]\nurl = "http://broker"', "broker.url: expected mqtt://host:port"),
        ('[store]\nid = "a/b"', "store.id: letters, digits"),
    ],
)
def test_a_mistake_names_its_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_web(write(tmp_path, text))
    assert str(raised.value).startswith(message), str(raised.value)


def test_loopback_is_what_may_serve_plain_http() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "10.0.0.1", "store.local", "::"))
