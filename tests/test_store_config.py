"""config/store.toml: the store server's settings, every mistake named by its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.model import Kind
from shell.config import ConfigError
from shell.store_config import StoreConfig, default_store_config, load_store

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "store.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_holds_every_default() -> None:
    assert default_store_config() == ROOT / "config" / "store.toml"
    assert load_store(default_store_config()) == StoreConfig()


def test_targets_times_and_mail_are_read_as_written(tmp_path: Path) -> None:
    config = load_store(
        write(
            tmp_path,
            '[reports]\nhelp_target = 120\ndaily_at = "20:00"\nweekly_on = "saturday"\n'
            '[mail]\nto = "mia@store.example, ops@store.example"\nfrom = "kiosk@store.example"\nhost = "relay"\n',
        )
    )
    assert config.reports.targets() == {Kind.FIND: 60, Kind.RETURN: 60, Kind.HELP: 120}
    assert (config.reports.daily_time.hour, config.reports.weekday) == (20, 5)
    assert config.mail.recipients == ("mia@store.example", "ops@store.example")
    assert config.mail.sender == "kiosk@store.example"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[reports]\nlanguage = "fr"', "reports.language: expected one of 'en', 'nl', got 'fr'"),
        ("[reports]\nfind_target = 5", "reports.find_target: expected 10 to 3600 seconds, got 5"),
        ('[reports]\ndaily_at = "9pm"', "reports.daily_at: expected a time HH:MM, got '9pm'"),
        ('[reports]\nweekly_on = "sun"', "reports.weekly_on: expected one of"),
        ('[mail]\nto = "mia"\nhost = "relay"', "mail: 'mia' is not an e-mail address"),
        ('[mail]\nto = "mia@store.example"', "mail.host: the SMTP relay is needed"),
        ("[alerts]\nunhappy_share = 1.5", "alerts.unhappy_share: expected more than 0 and at most 1"),
        ("[recorder]\nretention_days = 0", "recorder.retention_days: expected 1 to 3650 days, got 0"),
        ("[recorder]\nkeep = 1", "recorder.keep: unknown key"),
        ('[store]\ntimezone = "Mars/Olympus"', "store.timezone: unknown time zone"),
    ],
)
def test_a_mistake_names_its_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        load_store(write(tmp_path, text))
