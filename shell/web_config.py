"""The store web service's configuration (config/web.toml): staff phones, the shopper's ticket, the board.

Reads files only, like shell/config.py, whose section readers it shares:
every problem is one `ConfigError` naming the key, before anything starts;
the broker password comes from the environment. docs/web.md lists the keys.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from core.model import Kind
from core.phone import TOKEN_GRACE
from shell.config import (
    BrokerSection,
    ConfigError,
    DeviceSection,
    StoreSection,
    _check_common,
    _load,
    _override,
    default_config,
)


@dataclass(frozen=True)
class WebSection:
    listen: str = "127.0.0.1"  # "0.0.0.0" on the store network (needs certificate and key)
    port: int = 8080
    certificate: str = ""  # the server certificate signed by the store CA (provision.py writes web.crt)
    key: str = ""  # its private key; both empty: plain HTTP, allowed on loopback only
    public_url: str = "http://127.0.0.1:8080"  # what the printed QR points to: "<public_url>/t/{token}"
    data_dir: str = "var/web"  # accounts.json, sessions.json, rated.json
    session_hours: int = 12  # a shift: a phone that slept stays signed in
    lockout_failures: int = 5  # wrong PINs in a row that lock an account …
    lockout_minutes: int = 15  # … for this long
    find_target: int = 60  # seconds: a waiting time is coloured against these
    return_target: int = 60
    help_target: int = 60
    token_grace_minutes: int = int(TOKEN_GRACE.total_seconds() // 60)  # a ticket page opens this long after the end
    # Reverse proxies (e.g. the guest network's) whose X-Forwarded-For names the phone: comma-separated
    # addresses. Empty: the peer's own address counts (for the 429s), and the header is ignored.
    proxies: str = ""

    @property
    def proxy_addresses(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.proxies.split(",") if a.strip())

    def targets(self) -> dict[Kind, int]:
        return {Kind.FIND: self.find_target, Kind.RETURN: self.return_target, Kind.HELP: self.help_target}

    @property
    def token_grace(self) -> timedelta:
        return timedelta(minutes=self.token_grace_minutes)

    @property
    def tls(self) -> bool:
        return bool(self.certificate)


@dataclass(frozen=True)
class WebConfig:
    store: StoreSection = StoreSection()
    device: DeviceSection = DeviceSection(id="web")
    broker: BrokerSection = BrokerSection()
    web: WebSection = WebSection()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.store.timezone)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _readable_pem(key: str, path: str, marker: str) -> None:
    try:
        text = Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ConfigError(f"web.{key}: cannot read {path}: {exc.strerror}") from None
    if marker not in text:
        raise ConfigError(f"web.{key}: {path} is not a PEM {key} (provision.py --web-hostname writes web.crt, web.key)")


def _between(key: str, value: int, low: int, high: int, unit: str = "") -> None:
    if not low <= value <= high:
        raise ConfigError(f"web.{key}: expected {low} to {high}{unit}, got {value}")


def check_web(config: WebConfig) -> WebConfig:
    _check_common(config.store, config.device, config.broker)
    web = config.web
    if not web.listen:
        raise ConfigError("web.listen: must not be empty (127.0.0.1, or 0.0.0.0 for the store network)")
    _between("port", web.port, 1, 65535)
    if bool(web.certificate) != bool(web.key):
        missing = "key" if web.certificate else "certificate"
        raise ConfigError(f"web.{missing}: give both web.certificate and web.key, or neither (plain HTTP)")
    if web.certificate:
        _readable_pem("certificate", web.certificate, "-----BEGIN CERTIFICATE-----")
        _readable_pem("key", web.key, "PRIVATE KEY-----")
    elif not is_loopback(web.listen):
        raise ConfigError(
            f"web.listen: {web.listen!r} without web.certificate and web.key would send PINs and sessions "
            "unencrypted over the network; plain HTTP is allowed on loopback (127.0.0.1) only"
        )
    url = urlsplit(web.public_url)
    if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
        raise ConfigError(f"web.public_url: expected http(s)://host[:port][/path], got {web.public_url!r}")
    try:
        _ = url.port
    except ValueError:
        raise ConfigError(f"web.public_url: bad port in {web.public_url!r}") from None
    if not web.data_dir:
        raise ConfigError("web.data_dir: must not be empty")
    _between("session_hours", web.session_hours, 1, 168, " hours")
    _between("lockout_failures", web.lockout_failures, 1, 100)
    _between("lockout_minutes", web.lockout_minutes, 1, 1440, " minutes")
    for kind in ("find", "return", "help"):
        _between(f"{kind}_target", getattr(web, f"{kind}_target"), 10, 3600, " seconds")
    _between("token_grace_minutes", web.token_grace_minutes, 0, 1440, " minutes")
    for address in web.proxy_addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ConfigError(f"web.proxies: {address!r} is not an IP address (comma-separated addresses)") from None
    return config


def load_web(path: Path | None, **overrides: Any) -> WebConfig:
    """Read config/web.toml (or `path`); flags as `section_key=value` win."""
    config = _load(WebConfig, path)
    config = _override(config, overrides)
    web = config.web
    if web.public_url.endswith("/"):
        config = replace(config, web=replace(web, public_url=web.public_url.rstrip("/")))
    return check_web(config)


def default_web_config() -> Path | None:
    """config/web.toml beside the code, read when no --config is given."""
    return default_config("web.toml")
