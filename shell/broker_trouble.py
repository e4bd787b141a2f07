"""What goes wrong between a device and its broker, in words that say what to
change (docs/setup-messages.md); each said once, then at most every `repeat`
seconds.

Touches the log only; time is passed in (monotonic seconds), so the rule is
tested with numbers. Used by the broker link (adapters/paho_transport.py),
whose retries would otherwise repeat the same error several times a second,
and shown by the fronts (`connection down '<why>'`, the maintenance screen).
"""

from __future__ import annotations

import logging
import socket
import ssl

REPEAT = 30.0


class Trouble:
    def __init__(self, log: logging.Logger, repeat: float = REPEAT) -> None:
        self.log = log
        self.repeat = repeat
        self.problem: str | None = None  # what is wrong now, in words; None: all well
        self._since = 0.0
        self._said_at = 0.0

    def report(self, problem: str, now: float) -> None:
        """Something is wrong: log it when it is new, again only every `repeat` seconds."""
        if problem != self.problem:
            self._since = self._said_at = now
            self.log.error("%s", problem)
        elif now - self._said_at >= self.repeat:
            self._said_at = now
            self.log.error("still, for %.0f s: %s", now - self._since, problem)
        self.problem = problem

    def note(self, problem: str) -> None:
        """Something is wrong that was logged already, in other words."""
        self.problem = problem

    def cleared(self, now: float) -> float | None:
        """All well again: how long the problem lasted, or None if there was none."""
        if self.problem is None:
            return None
        self.problem = None
        return now - self._since


# -- the words ------------------------------------------------------------------


def unreachable(host: str, port: int, exc: BaseException | None, retry: float) -> str:
    """Why a connection could not be made (the OSError the attempt raised)."""
    where = f"the broker at {host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{where} has a TLS certificate this device does not trust ({exc.verify_message}): check broker.ca_file"
    if isinstance(exc, ssl.SSLError):
        why = getattr(exc, "reason", None) or exc
        return f"TLS with {where} failed ({why}): is it the TLS port, and broker.url mqtts://?"
    if isinstance(exc, socket.gaierror):
        return f"cannot find the broker host {host} (check broker.url); retrying every {retry:g} s"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"cannot reach {where}: {reason.lower()}; retrying every {retry:g} s"


def login_refused(
    host: str, port: int, username: str, password_env: str, has_password: bool, reason: str, retry: float
) -> str:
    password = f"${password_env}" if password_env else "the password"
    return (
        f"the broker at {host}:{port} refused the login as {username or 'anonymous (no broker.username)'} "
        f"({reason}): check broker.username and {password} ({'set' if has_password else 'not set'}); "
        f"retrying every {retry:g} s"
    )


def taken_over(client_id: str, reason: str, retry: float) -> str:
    return (
        f"the broker keeps closing the connection as soon as it is made ({reason}): most likely another "
        f"device is connected as {client_id} and takes over its session. Every device needs its own "
        f"device.id (and broker username); retrying every {retry:g} s"
    )


def topics_refused(client_id: str, topic: str, reason: str) -> str:
    """Right password, wrong store id: the broker's ACL refuses the device's own topics."""
    return (
        f"the broker refused {client_id} on {topic} ({reason}): check store.id and that the broker's ACL "
        "has this device (broker_config/provision.py); nothing will reach it or come from it"
    )
