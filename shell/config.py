"""Configuration: one TOML file per app, read into frozen dataclasses.

Reads files only. Every problem is reported as one `ConfigError` naming the
key (`printer.baudrate: expected one of 9600, 19200, 38400, 115200, got 'fast'`)
before anything is started. Secrets (the broker password) come from the
environment, never from the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.escalation import Limits
from core.lifecycle import Role
from core.model import DOUBLE_BYTE, PAPER_WIDTHS, Kind, valid_id
from core.numbering import DEFAULT_FORMAT, FormatError, check_format
from shell.display import KIOSK_SHAPES

BAUDRATES = (9600, 19200, 38400, 57600, 115200)
PARITIES = ("none", "even", "odd")
FLOW_CONTROLS = ("none", "rtscts", "xonxoff", "dsrdtr")
QR_FIELDS = ("request_id", "ticket", "store", "kiosk", "token")
ROLES = tuple(role.value for role in Role)


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class StoreSection:
    id: str = "demo-store"
    name: str = "Store Assist Demo Store"
    timezone: str = "Europe/Amsterdam"


@dataclass(frozen=True)
class DeviceSection:
    id: str = "kiosk-1"


@dataclass(frozen=True)
class BrokerSection:
    url: str = "mqtt://127.0.0.1:1883"
    username: str = ""
    password_env: str = "STORE_ASSIST_MQTT_PASSWORD"
    keepalive: int = 30
    # How long the broker keeps this device's session (its subscriptions and
    # the messages queued for it) while the device is away; 0: none.
    session_expiry: int = 3600
    ca_file: str = ""  # the store CA for mqtts:// (broker_config/provision.py writes ca.crt)

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


@dataclass(frozen=True)
class PrinterSection:
    port: str = ""  # a device path or pyserial URL; empty means no printer
    baudrate: int = 19200
    parity: str = "none"  # none | even | odd
    flow_control: str = "none"  # none | rtscts | xonxoff | dsrdtr
    profile: str = "default"  # python-escpos printer profile
    paper_width: int = 80  # mm: 58 or 80
    double_byte: str = ""  # the printer's own Chinese character set: gb18030 | big5 | "" (Chinese as pictures)
    qr_url: str = ""  # the QR code: a link with {request_id} {ticket} {store} {kiosk} {token}; empty: the request id
    ask_status: bool = True  # ask the printer for paper/cover status (false: a printer with no return line)
    write_timeout: float = 5.0


@dataclass(frozen=True)
class StorageSection:
    data_dir: str = "var/kiosk"
    retention_days: int = 90  # then shoppers' free text and contact details are removed


@dataclass(frozen=True)
class CatalogSection:
    path: str = "config/catalog.csv"  # the store's catalog; empty: no item finder


@dataclass(frozen=True)
class KioskSection:
    idle_timeout: int = 90  # seconds without a touch before returning to Welcome
    idle_warning: int = 15  # seconds the "need more time?" prompt stays up
    screen_dpi: int = 96  # the touchscreen's pixels per inch: touch targets are kept >= 15 mm
    fullscreen: bool = False  # true on the store's kiosk: full screen, no window chrome, Escape does not quit
    window: str = "upright"  # not full screen: a window the shape of the store's screen, "upright" or "wide"
    pin_env: str = "STORE_ASSIST_MAINTENANCE_PIN"  # the staff PIN is read from this environment variable
    on_screen_keyboard: bool = True  # Kivy's docked keyboard for the text fields; false: a kiosk with a real keyboard
    entrance: str = ""  # where this kiosk stands, as staff call it ("North entrance"); empty: the device id
    ticket_format: str = (
        DEFAULT_FORMAT  # each kiosk of a store its own, e.g. "N{type}-{number:03d}" (core/numbering.py)
    )


@dataclass(frozen=True)
class EscalationSection:
    """Seconds unclaimed before: every pager again, the managers, the service desk."""

    find: tuple[int, ...] = (60, 180, 300)
    # "return" is a Python keyword: the TOML key `return` maps to this field.
    returns: tuple[int, ...] = (60, 180, 300)
    help: tuple[int, ...] = (60, 180, 300)

    def limits(self) -> dict[Kind, Limits]:
        return {Kind.FIND: Limits(*self.find), Kind.RETURN: Limits(*self.returns), Kind.HELP: Limits(*self.help)}


@dataclass(frozen=True)
class StaffSection:
    name: str = ""
    role: str = "floor"


@dataclass(frozen=True)
class KioskConfig:
    store: StoreSection = StoreSection()
    device: DeviceSection = DeviceSection()
    broker: BrokerSection = BrokerSection()
    printer: PrinterSection = PrinterSection()
    storage: StorageSection = StorageSection()
    kiosk: KioskSection = KioskSection()
    escalation: EscalationSection = EscalationSection()
    catalog: CatalogSection = CatalogSection()


@dataclass(frozen=True)
class PagerConfig:
    store: StoreSection = StoreSection()
    device: DeviceSection = DeviceSection(id="pager-1")
    broker: BrokerSection = BrokerSection()
    staff: StaffSection = StaffSection()


# TOML keys that are Python keywords, and the fields they fill.
_FIELD_FOR_KEY = {"return": "returns", "from": "sender"}


def _section(cls: type, defaults: Any, raw: Any, name: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: expected a table")
    raw = {_FIELD_FOR_KEY.get(key, key): value for key, value in raw.items()}
    known = {f.name: f for f in fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"{name}.{key}: unknown key (known: {', '.join(known)})")
    values = {}
    for key, value in raw.items():
        expected = type(getattr(defaults, key))
        if expected is float and type(value) is int:
            value = float(value)
        if expected is tuple and type(value) is list:
            if not all(type(v) is int for v in value):
                shown = {v: k for k, v in _FIELD_FOR_KEY.items()}.get(key, key)
                raise ConfigError(f"{name}.{shown}: expected a list of whole numbers, got {value!r}")
            value = tuple(value)
        if type(value) is not expected:
            raise ConfigError(f"{name}.{key}: expected {expected.__name__}, got {type(value).__name__} {value!r}")
        values[key] = value
    return replace(defaults, **values)


def _load(cls: type, path: Path | None) -> Any:
    config = cls()
    if path is None:
        return config
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    changes = {}
    for key, value in raw.items():
        field_names = {f.name for f in fields(cls)}
        if key not in field_names:
            raise ConfigError(f"{key}: unknown section (known: {', '.join(sorted(field_names))})")
        current = getattr(config, key)
        changes[key] = _section(type(current), current, value, key)
    return replace(config, **changes)


def _check_common(store: StoreSection, device: DeviceSection, broker: BrokerSection) -> None:
    if not valid_id(store.id):
        raise ConfigError(f"store.id: letters, digits, '-' and '_' only, got {store.id!r}")
    if not valid_id(device.id):
        raise ConfigError(f"device.id: letters, digits, '-' and '_' only, got {device.id!r}")
    try:
        ZoneInfo(store.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"store.timezone: unknown time zone {store.timezone!r}") from None
    _check_broker(broker)
    url = urlsplit(broker.url)
    if url.scheme not in ("mqtt", "mqtts") or not url.hostname:
        raise ConfigError(f"broker.url: expected mqtt://host:port or mqtts://host:port, got {broker.url!r}")
    try:
        _ = url.port  # urlsplit checks the port only when asked
    except ValueError:
        raise ConfigError(f"broker.url: bad port in {broker.url!r}") from None


def check_kiosk(config: KioskConfig) -> KioskConfig:
    _check_common(config.store, config.device, config.broker)
    if config.printer.baudrate not in BAUDRATES:
        raise ConfigError(
            f"printer.baudrate: expected one of {', '.join(map(str, BAUDRATES))}, got {config.printer.baudrate!r}"
        )
    if config.printer.write_timeout <= 0:
        raise ConfigError("printer.write_timeout: must be more than 0 seconds")
    _check_printer(config.printer)
    if config.kiosk.idle_timeout < 10:
        raise ConfigError("kiosk.idle_timeout: must be at least 10 seconds")
    try:
        check_format(config.kiosk.ticket_format)
    except FormatError as exc:
        raise ConfigError(f"kiosk.ticket_format: {exc}") from None
    if len(config.kiosk.entrance) > 40:
        raise ConfigError(f"kiosk.entrance: at most 40 characters, got {len(config.kiosk.entrance)}")
    _one_of("kiosk.window", config.kiosk.window, tuple(KIOSK_SHAPES))
    if not 50 <= config.kiosk.screen_dpi <= 600:
        raise ConfigError(f"kiosk.screen_dpi: expected 50 to 600, got {config.kiosk.screen_dpi}")
    if not config.storage.data_dir:
        raise ConfigError("storage.data_dir: must not be empty")
    if not 1 <= config.storage.retention_days <= 3650:
        raise ConfigError(f"storage.retention_days: expected 1 to 3650 days, got {config.storage.retention_days}")
    for key in ("find", "returns", "help"):
        limits = getattr(config.escalation, key)
        if len(limits) != 3 or not 0 < limits[0] < limits[1] < limits[2]:
            shown = "return" if key == "returns" else key
            raise ConfigError(
                f"escalation.{shown}: expected three increasing numbers of seconds "
                f"[everyone, managers, service desk], got {list(limits)}"
            )
    return config


def _one_of(key: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key}: expected one of {', '.join(repr(a) for a in allowed)}, got {value!r}")


def _check_printer(printer: PrinterSection) -> None:
    _one_of("printer.parity", printer.parity, PARITIES)
    _one_of("printer.flow_control", printer.flow_control, FLOW_CONTROLS)
    _one_of("printer.paper_width", printer.paper_width, PAPER_WIDTHS)
    _one_of("printer.double_byte", printer.double_byte, DOUBLE_BYTE)
    try:
        fields = {name for _t, name, _s, _c in Formatter().parse(printer.qr_url) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"printer.qr_url: {exc}") from None
    unknown = fields - set(QR_FIELDS)
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in QR_FIELDS)
        raise ConfigError(f"printer.qr_url: unknown placeholder {{{sorted(unknown)[0]}}}; use {allowed}")
    if not all(" " < ch <= "~" for ch in printer.qr_url):
        raise ConfigError("printer.qr_url: use a plain ASCII link without spaces (percent-encode the rest)")


def _check_broker(broker: BrokerSection) -> None:
    if broker.ca_file:
        _check_ca_file(broker.ca_file)
    if not 5 <= broker.keepalive <= 600:
        raise ConfigError(f"broker.keepalive: expected 5 to 600 seconds, got {broker.keepalive}")
    if not 0 <= broker.session_expiry <= 7 * 24 * 3600:
        raise ConfigError(f"broker.session_expiry: expected 0 to 604800 seconds, got {broker.session_expiry}")


def _check_ca_file(path: str) -> None:
    """The store CA must be a readable PEM certificate; the TLS library would
    otherwise fail later with a message that names no file."""
    try:
        text = Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ConfigError(f"broker.ca_file: cannot read {path}: {exc.strerror}") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ConfigError(
            f"broker.ca_file: {path} is not a PEM certificate "
            "(expected the ca.crt written by broker_config/provision.py)"
        )


def check_pager(config: PagerConfig) -> PagerConfig:
    _check_common(config.store, config.device, config.broker)
    if config.staff.role not in ROLES:
        raise ConfigError(f"staff.role: expected one of {', '.join(ROLES)}, got {config.staff.role!r}")
    return config


# The apps' config files beside the code; used when no --config is given, so
# that editing config/kiosk.toml is never silently ignored.
CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def default_config(name: str) -> Path | None:
    path = CONFIG_DIR / name
    return path if path.is_file() else None


def load_kiosk(path: Path | None, **overrides: Any) -> KioskConfig:
    return check_kiosk(_override(_load(KioskConfig, path), overrides))


def load_pager(path: Path | None, **overrides: Any) -> PagerConfig:
    return check_pager(_override(_load(PagerConfig, path), overrides))


def _override(config: Any, overrides: dict[str, Any]) -> Any:
    """Apply command-line flags given as `section_key=value` (None = not given)."""
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, key = dotted.split("_", 1)
        config = replace(config, **{section: replace(getattr(config, section), **{key: value})})
    return config
