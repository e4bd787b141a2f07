"""The store server's configuration (config/store.toml): the recorder, the reports, the managers' alerts.

Reads files only, like shell/config.py, whose section readers it shares:
every problem is one `ConfigError` naming the key, before anything starts;
secrets (the broker and mail passwords) come from the environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.model import Kind
from shell.config import (
    BrokerSection,
    ConfigError,
    DeviceSection,
    StoreSection,
    _check_common,
    _load,
    _one_of,
    _override,
    default_config,
)

REPORT_LANGUAGES = ("en", "nl")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ADDRESS = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+$")


@dataclass(frozen=True)
class RecorderSection:
    data_dir: str = "var/store/record"  # the store's record: every kiosk's requests, feedback, searches, alerts
    retention_days: int = 90  # then shoppers' free text and contact details are removed from the record


@dataclass(frozen=True)
class ReportsSection:
    language: str = "en"  # en | nl
    # The store's target per request type: claimed within this many seconds counts as served in time.
    find_target: int = 60
    return_target: int = 60
    help_target: int = 60
    # Claims and times per staff member: off unless the works council agreed; managers only.
    per_associate: bool = False
    out_dir: str = "var/store/reports"  # the daily and weekly reports are written here
    daily_at: str = "21:30"  # store close, local time: the day's report
    weekly_on: str = "sunday"  # after that day's close: the week's report

    def targets(self) -> dict[Kind, int]:
        return {Kind.FIND: self.find_target, Kind.RETURN: self.return_target, Kind.HELP: self.help_target}

    @property
    def daily_time(self) -> time:
        hours, minutes = self.daily_at.split(":")
        return time(int(hours), int(minutes))

    @property
    def weekday(self) -> int:
        """Monday 0 … Sunday 6."""
        return WEEKDAYS.index(self.weekly_on)


@dataclass(frozen=True)
class MailSection:
    to: str = ""  # addresses the reports are mailed to, comma-separated; empty: only written to reports.out_dir
    sender: str = "store-assist@localhost"  # the TOML key `from`
    host: str = ""  # the store's SMTP relay; empty: no mail
    port: int = 25
    starttls: bool = False
    username: str = ""
    password_env: str = "STORE_ASSIST_SMTP_PASSWORD"

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(a.strip() for a in self.to.split(",") if a.strip())

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env) or None


@dataclass(frozen=True)
class AlertsSection:
    """Rule alerts for the managers, each sent once per breach."""

    unhappy_minutes: int = 15  # look back this far …
    unhappy_share: float = 0.5  # … and alert when at least this share of responses was unhappy …
    unhappy_min_responses: int = 4  # … out of at least this many
    service_level_minutes: int = 60  # the last hour's …
    service_level_percent: float = 80.0  # … service level under this, with at least one request due


@dataclass(frozen=True)
class StoreConfig:
    store: StoreSection = StoreSection()
    device: DeviceSection = DeviceSection(id="recorder")
    # A day: the broker keeps queueing the store's messages while the recorder is down that long.
    broker: BrokerSection = BrokerSection(session_expiry=86400)
    recorder: RecorderSection = RecorderSection()
    reports: ReportsSection = ReportsSection()
    mail: MailSection = MailSection()
    alerts: AlertsSection = AlertsSection()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.store.timezone)


def check_store(config: StoreConfig) -> StoreConfig:
    _check_common(config.store, config.device, config.broker)
    if not config.recorder.data_dir:
        raise ConfigError("recorder.data_dir: must not be empty")
    if not 1 <= config.recorder.retention_days <= 3650:
        raise ConfigError(f"recorder.retention_days: expected 1 to 3650 days, got {config.recorder.retention_days}")
    reports = config.reports
    _one_of("reports.language", reports.language, REPORT_LANGUAGES)
    for kind in ("find", "return", "help"):
        value = getattr(reports, f"{kind}_target")
        if not 10 <= value <= 3600:
            raise ConfigError(f"reports.{kind}_target: expected 10 to 3600 seconds, got {value}")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", reports.daily_at):
        raise ConfigError(f"reports.daily_at: expected a time HH:MM, got {reports.daily_at!r}")
    _one_of("reports.weekly_on", reports.weekly_on, WEEKDAYS)
    mail = config.mail
    for address in (*mail.recipients, mail.sender):
        if not _ADDRESS.match(address):
            raise ConfigError(f"mail: {address!r} is not an e-mail address")
    if mail.recipients and not mail.host:
        raise ConfigError("mail.host: the SMTP relay is needed to mail reports to mail.to")
    if not 1 <= mail.port <= 65535:
        raise ConfigError(f"mail.port: expected 1 to 65535, got {mail.port}")
    alerts = config.alerts
    if not 1 <= alerts.unhappy_minutes <= 24 * 60:
        raise ConfigError(f"alerts.unhappy_minutes: expected 1 to 1440, got {alerts.unhappy_minutes}")
    if not 0 < alerts.unhappy_share <= 1:
        raise ConfigError(f"alerts.unhappy_share: expected more than 0 and at most 1, got {alerts.unhappy_share}")
    if alerts.unhappy_min_responses < 1:
        raise ConfigError(f"alerts.unhappy_min_responses: at least 1, got {alerts.unhappy_min_responses}")
    if not 1 <= alerts.service_level_minutes <= 24 * 60:
        raise ConfigError(f"alerts.service_level_minutes: expected 1 to 1440, got {alerts.service_level_minutes}")
    if not 0 < alerts.service_level_percent <= 100:
        raise ConfigError(f"alerts.service_level_percent: expected 0 to 100, got {alerts.service_level_percent}")
    return config


def load_store(path: Path | None, **overrides: Any) -> StoreConfig:
    """Read config/store.toml (or `path`); flags as `section_key=value` win."""
    return check_store(_override(_load(StoreConfig, path), overrides))


def default_store_config() -> Path | None:
    """config/store.toml beside the code, read when no --config is given."""
    return default_config("store.toml")
