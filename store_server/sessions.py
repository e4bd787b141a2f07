"""Signed-in staff on the web pager: sessions that survive a phone sleeping and a service restart.

Touches `<data_dir>/sessions.json` (written atomically, adapters/atomic_file.py);
only the web service writes it. A session id is 256 random bits, sent once in
the cookie; the file holds only its SHA-256, so a copy of the file signs
nobody in. A session lives `hours` from its last use (sliding). New and ended
sessions are written at once (a restart right after signing in keeps it);
the last-use times are written in batches (`flush`, every half minute and at
a clean stop), so a busy page never writes the disk per request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from adapters.atomic_file import write_atomically
from core.records import from_iso_utc, to_iso_utc

log = logging.getLogger(__name__)

TOUCH_EVERY = timedelta(minutes=1)  # a last use this close to the stored one is not worth a write


@dataclass(frozen=True)
class Session:
    digest: str  # SHA-256 of the id, hex
    name: str  # the account
    stamp: str  # the account's stamp when it signed in (store_server/accounts.py)
    created: datetime
    last_used: datetime


def digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, folder: Path, hours: int = 12) -> None:
        self.path = Path(folder) / "sessions.json"
        self.life = timedelta(hours=hours)
        self._sessions: dict[str, Session] = {}
        self._dirty = False
        self._load()

    def _load(self) -> None:
        try:
            body = json.loads(self.path.read_text(encoding="utf-8"))
            for item in body["sessions"]:
                session = Session(
                    digest=str(item["digest"]),
                    name=str(item["name"]),
                    stamp=str(item["stamp"]),
                    created=from_iso_utc(item["created"]),
                    last_used=from_iso_utc(item["last_used"]),
                )
                self._sessions[session.digest] = session
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # Nobody is signed in then: staff sign in again; nothing else is lost.
            log.error("%s cannot be read (%s): every session starts again", self.path, exc)
            self._sessions = {}

    def _save(self) -> None:
        rows = [
            {
                "digest": s.digest,
                "name": s.name,
                "stamp": s.stamp,
                "created": to_iso_utc(s.created),
                "last_used": to_iso_utc(s.last_used),
            }
            for s in self._sessions.values()
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps({"v": 1, "sessions": rows}, ensure_ascii=False).encode())
        os.chmod(self.path, 0o600)
        self._dirty = False

    def start(self, name: str, stamp: str, now: datetime) -> str:
        """A new session for the account; the id for the cookie (written to disk before it is returned)."""
        session_id = secrets.token_urlsafe(32)
        key = digest(session_id)
        self._sessions[key] = Session(key, name, stamp, now, now)
        self._drop_expired(now)
        self._save()
        return session_id

    def find(self, session_id: str | None, now: datetime) -> Session | None:
        """The live session of this id, its last use moved to `now`; None when unknown or expired."""
        if not session_id or len(session_id) > 100:
            return None
        key = digest(session_id)
        session = self._sessions.get(key)
        if session is None:
            return None
        if now - session.last_used >= self.life:
            del self._sessions[key]
            self._dirty = True
            return None
        if now - session.last_used >= TOUCH_EVERY:
            session = replace(session, last_used=now)
            self._sessions[key] = session
            self._dirty = True
        return session

    def end(self, session_id: str | None) -> Session | None:
        """Sign out: the session is gone from disk when this returns."""
        session = self._sessions.pop(digest(session_id), None) if session_id else None
        if session is not None:
            self._save()
        return session

    def end_session(self, session: Session) -> None:
        """A session whose account is gone or has a new PIN (written with the next flush)."""
        if self._sessions.pop(session.digest, None) is not None:
            self._dirty = True

    def live(self, now: datetime) -> list[Session]:
        self._drop_expired(now)
        return list(self._sessions.values())

    def _drop_expired(self, now: datetime) -> None:
        for key, session in list(self._sessions.items()):
            if now - session.last_used >= self.life:
                del self._sessions[key]
                self._dirty = True

    def flush(self, now: datetime) -> None:
        """Write what changed since the last write (the last uses, expiries)."""
        self._drop_expired(now)
        if self._dirty:
            self._save()
