"""A broker problem is logged when it is new, then at most every 30 s: tested with numbers."""

from __future__ import annotations

import logging
import socket
import ssl

import pytest

from shell.broker_trouble import Trouble, unreachable


def said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def test_a_problem_is_said_at_once_then_only_every_thirty_seconds(caplog: pytest.LogCaptureFixture) -> None:
    trouble = Trouble(logging.getLogger("t"))
    with caplog.at_level(logging.ERROR, logger="t"):
        for now in (0.0, 0.25, 0.75, 1.75, 3.75, 29.0):  # paho's retries
            trouble.report("cannot reach the broker", now)
        assert said(caplog) == ["cannot reach the broker"]
        trouble.report("cannot reach the broker", 31.0)
        assert said(caplog)[-1] == "still, for 31 s: cannot reach the broker"
        trouble.report("the broker refused the login", 32.0)  # a different problem is new
        assert said(caplog)[-1] == "the broker refused the login"
    assert trouble.problem == "the broker refused the login"
    assert trouble.cleared(40.0) == 8.0 and trouble.problem is None
    assert trouble.cleared(41.0) is None


def test_the_reason_a_connection_failed_names_what_to_check() -> None:
    refused = unreachable("127.0.0.1", 1883, ConnectionRefusedError(111, "Connection refused"), 2)
    assert refused == "cannot reach the broker at 127.0.0.1:1883: connection refused; retrying every 2 s"
    unknown = unreachable("store-broker.local", 1883, socket.gaierror(-2, "Name or service not known"), 2)
    assert unknown == "cannot find the broker host store-broker.local (check broker.url); retrying every 2 s"
    tls = unreachable("b", 8883, ssl.SSLError(1, "WRONG_VERSION_NUMBER"), 2)
    assert "is it the TLS port, and broker.url mqtts://?" in tls
