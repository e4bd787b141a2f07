"""Staff accounts of the web pager: names, roles, PIN hashes, lockout.

Touches `<data_dir>/accounts.json` (written atomically, adapters/atomic_file.py)
and its lock file. Managers change accounts with `store-assist-web accounts …`
while the service runs: every change is a read-modify-write under an
exclusive flock, and the service reads the file again whenever it changed
(its inode and mtime). Each account has a `stamp` that changes with its PIN:
a session made under another stamp, or for an account that is gone, is over
(store_server/sessions.py keeps the stamp). The file never holds a PIN.

Rules
-----
1. A name is unique whatever its case (Anna and ANNA are one person), 1 to
   40 characters of plain text; a role is floor, returns or manager.
2. A PIN is 4 to 12 digits, or a password of at least 8 characters.
3. `lockout_failures` wrong PINs in a row lock the account for
   `lockout_minutes`; while locked even the right PIN is refused; `unlock`
   ends it. A good sign-in resets the count.
4. An unknown name is answered like a wrong PIN, after as long a check.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from adapters.atomic_file import write_atomically
from core.lifecycle import Role
from core.model import NAME_MAX
from core.records import from_iso_utc, to_iso_utc
from core.text import clean_text

ROLES = tuple(role.value for role in Role)
WRONG = "wrong name or PIN"
PIN_RULE = "a PIN is 4 to 12 digits, or a password of at least 8 characters"


class Hasher(Protocol):
    def hash(self, pin: str) -> str: ...
    def verify(self, stored: str, pin: str) -> bool: ...
    def needs_rehash(self, stored: str) -> bool: ...


class AccountError(Exception):
    """A manager's change that cannot be made, in words for them."""


class SignInRefused(Exception):
    """A sign-in that failed: `status` 401 (wrong) or 429 (locked), and the words to show."""

    def __init__(self, status: int, words: str) -> None:
        super().__init__(words)
        self.status = status
        self.words = words


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    pin_hash: str
    stamp: str  # changes with the PIN: sessions made under another stamp are over
    failures: int = 0  # wrong PINs in a row
    locked_until: datetime | None = None


def check_pin(pin: str) -> None:
    if not isinstance(pin, str) or not ((pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 12) or len(pin) >= 8):
        raise AccountError(PIN_RULE)
    if len(pin) > 128:
        raise AccountError("a password of at most 128 characters")


def check_name(name: str) -> str:
    cleaned = clean_text(name, NAME_MAX)
    if not cleaned or cleaned != name:
        raise AccountError(f"a name is 1 to {NAME_MAX} characters of plain text, got {name!r}")
    return cleaned


class Accounts:
    def __init__(self, folder: Path, hasher: Hasher, lockout_failures: int = 5, lockout_minutes: int = 15) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "accounts.json"
        self.hasher = hasher
        self.lockout_failures = lockout_failures
        self.lockout = timedelta(minutes=lockout_minutes)
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._accounts: dict[str, Account] = {}
        # An unknown name is checked against this, so it takes as long as a known one (rule 4).
        self._decoy = hasher.hash(secrets.token_urlsafe(12))

    # -- the file -------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Exclusive against the service and every `accounts` command."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.folder / ".accounts.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _read(self) -> dict[str, Account]:
        """The accounts as the file holds them now (read again only when it changed)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._seen, self._accounts = None, {}
            return {}
        seen = (info.st_ino, info.st_mtime_ns, info.st_size)
        if seen != self._seen:
            try:
                body = json.loads(self.path.read_text(encoding="utf-8"))
                accounts = [_account(item) for item in body["accounts"]]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise AccountError(f"{self.path} cannot be read: {exc}") from None
            self._accounts = {a.name.casefold(): a for a in accounts}
            self._seen = seen
        return dict(self._accounts)

    def _write(self, accounts: dict[str, Account]) -> None:
        rows = [_row(a) for a in sorted(accounts.values(), key=lambda a: a.name.casefold())]
        payload = json.dumps({"v": 1, "accounts": rows}, ensure_ascii=False, indent=1).encode()
        write_atomically(self.path, payload)
        os.chmod(self.path, 0o600)
        self._seen = None

    # -- managers' changes ------------------------------------------------------

    def add(self, name: str, role: str, pin: str) -> Account:
        name = check_name(name)
        if role not in ROLES:
            raise AccountError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
        check_pin(pin)
        pin_hash = self.hasher.hash(pin)
        with self._locked():
            accounts = self._read()
            if name.casefold() in accounts:
                raise AccountError(f"there is an account {accounts[name.casefold()].name} already")
            account = Account(name, role, pin_hash, secrets.token_hex(8))
            accounts[name.casefold()] = account
            self._write(accounts)
        return account

    def remove(self, name: str) -> Account:
        with self._locked():
            accounts = self._read()
            account = self._named(accounts, name)
            del accounts[name.casefold()]
            self._write(accounts)
        return account

    def set_pin(self, name: str, pin: str) -> Account:
        check_pin(pin)
        pin_hash = self.hasher.hash(pin)
        with self._locked():
            accounts = self._read()
            account = replace(self._named(accounts, name), pin_hash=pin_hash, stamp=secrets.token_hex(8))
            accounts[name.casefold()] = replace(account, failures=0, locked_until=None)
            self._write(accounts)
        return account

    def unlock(self, name: str) -> Account:
        with self._locked():
            accounts = self._read()
            account = replace(self._named(accounts, name), failures=0, locked_until=None)
            accounts[name.casefold()] = account
            self._write(accounts)
        return account

    def all(self) -> list[Account]:
        with self._locked():
            return sorted(self._read().values(), key=lambda a: a.name.casefold())

    @staticmethod
    def _named(accounts: dict[str, Account], name: str) -> Account:
        account = accounts.get(name.casefold())
        if account is None:
            raise AccountError(f"no account {name!r}")
        return account

    # -- signing in -------------------------------------------------------------

    def current(self, name: str, stamp: str) -> Account | None:
        """The account a session was made for, if it still exists under that stamp."""
        with self._lock:
            account = self._read().get(name.casefold())
        return account if account is not None and account.stamp == stamp else None

    def sign_in(self, name: str, pin: str, now: datetime) -> Account:
        """The account, if `pin` is its PIN and it is not locked; else SignInRefused."""
        with self._lock:
            account = self._read().get(str(name).strip().casefold())
        if account is None:
            self.hasher.verify(self._decoy, str(pin))
            raise SignInRefused(401, WRONG)
        if account.locked_until is not None and now < account.locked_until:
            raise SignInRefused(429, locked_words(account.locked_until - now))
        good = self.hasher.verify(account.pin_hash, str(pin))
        with self._locked():
            accounts = self._read()
            latest = accounts.get(account.name.casefold())
            if latest is None or latest.stamp != account.stamp:
                raise SignInRefused(401, WRONG)  # removed or given a new PIN meanwhile
            if good:
                changed = replace(latest, failures=0, locked_until=None)
                if self.hasher.needs_rehash(latest.pin_hash):
                    changed = replace(changed, pin_hash=self.hasher.hash(str(pin)))
            elif latest.failures + 1 >= self.lockout_failures:
                changed = replace(latest, failures=0, locked_until=now + self.lockout)
            else:
                changed = replace(latest, failures=latest.failures + 1, locked_until=None)
            if changed != latest:
                accounts[latest.name.casefold()] = changed
                self._write(accounts)
        if not good:
            if changed.locked_until is not None:
                raise SignInRefused(429, locked_words(self.lockout))
            raise SignInRefused(401, WRONG)
        return changed


def locked_words(left: timedelta) -> str:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return f"locked for {minutes} minute{'s' if minutes != 1 else ''} after too many wrong PINs"


def _row(account: Account) -> dict[str, object]:
    row = asdict(account)
    row["locked_until"] = to_iso_utc(account.locked_until) if account.locked_until else None
    return row


def _account(item: dict[str, object]) -> Account:
    locked = item.get("locked_until")
    return Account(
        name=str(item["name"]),
        role=str(item["role"]),
        pin_hash=str(item["pin_hash"]),
        stamp=str(item["stamp"]),
        failures=int(item.get("failures") or 0),  # type: ignore[call-overload]
        locked_until=from_iso_utc(locked) if isinstance(locked, str) else None,
    )
