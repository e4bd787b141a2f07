"""Reports mailed through a real SMTP relay (aiosmtpd) on 127.0.0.1 (manager/mail.py).

Each test starts its own relay on a free port: plain, or with STARTTLS and a
login, with a certificate made here by openssl. What arrives is parsed back
and compared byte for byte with what was attached.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from adapters.tinydb_store import TinyDBEventLog
from core.model import Feedback, Kind, LogEntry
from manager.mail import MailError, send_report
from shell.store_config import MailSection
from tests.broker import free_port

USER, PASSWORD = "reports", "s3cret-relay"


class Inbox:
    """The relay's handler: keeps what it accepted; refuses recipients at `refuse`."""

    def __init__(self, refuse: str = "") -> None:
        self.mails: list[Any] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.refuse and address.endswith(self.refuse):
            return "550 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.mails.append(envelope)
        return "250 Message accepted for delivery"


def login(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    # handled=False: aiosmtpd answers a refused login itself (535), as a relay does.
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@contextmanager
def relay(inbox: Inbox, **kwargs: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("relay-tls")
    cert, key = folder / "relay.pem", folder / "relay.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def tls_context(certificate: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def attachments(tmp_path: Path) -> list[Path]:
    html = tmp_path / "report-2026-11-03.html"
    html.write_text("<!doctype html><title>Day report</title><p>Service level 87 %</p>", encoding="utf-8")
    xlsx = tmp_path / "report-2026-11-03.xlsx"
    xlsx.write_bytes(bytes(range(256)) * 40 + b"PK\x03\x04")  # every byte value, as a binary file has
    return [html, xlsx]


def section(port: int, **changes: Any) -> MailSection:
    return MailSection(**{"to": "mia@store.example, ops@store.example", "sender": "store-assist@store.example",
                          "host": "127.0.0.1", "port": port, **changes})  # fmt: skip


def parsed(envelope: Any) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=default)  # type: ignore[return-value]


def test_the_report_arrives_with_its_attachments_intact(attachments: list[Path]) -> None:
    inbox = Inbox()
    with relay(inbox) as port:
        send_report(section(port), "Day report 2026-11-03", "The day's figures are attached.", attachments)
    [mail] = inbox.mails
    assert mail.mail_from == "store-assist@store.example"
    assert mail.rcpt_tos == ["mia@store.example", "ops@store.example"]
    message = parsed(mail)
    assert message["Subject"] == "Day report 2026-11-03" and message["To"] == "mia@store.example, ops@store.example"
    assert message.get_body(("plain",)).get_content().strip() == "The day's figures are attached."
    got = {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
    assert got == {path.name: path.read_bytes() for path in attachments}
    types = {part.get_filename(): part.get_content_type() for part in message.iter_attachments()}
    assert types["report-2026-11-03.html"] == "text/html"


def test_with_starttls_and_a_login_the_password_comes_from_the_environment(  # type: ignore[no-untyped-def]
    attachments, certificate, monkeypatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the relay's certificate, trusted as a store's CA
    monkeypatch.setenv("STORE_ASSIST_SMTP_PASSWORD", PASSWORD)
    inbox = Inbox()
    with relay(inbox, tls_context=tls_context(certificate), require_starttls=True, authenticator=login,
               auth_required=True) as port:  # fmt: skip
        send_report(section(port, starttls=True, username=USER), "Week report", "Attached.", attachments)
    [mail] = inbox.mails
    assert [p.get_filename() for p in parsed(mail).iter_attachments()] == [p.name for p in attachments]


def test_a_wrong_password_is_said_plainly_and_nothing_is_sent(attachments, certificate, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.setenv("STORE_ASSIST_SMTP_PASSWORD", "guessed")
    inbox = Inbox()
    with relay(inbox, tls_context=tls_context(certificate), require_starttls=True, authenticator=login,
               auth_required=True) as port:  # fmt: skip
        with pytest.raises(MailError, match=rf"127.0.0.1:{port} refused the login of 'reports': 535"):
            send_report(section(port, starttls=True, username=USER), "Week report", "Attached.", attachments)
        monkeypatch.delenv("STORE_ASSIST_SMTP_PASSWORD")
        with pytest.raises(MailError, match="environment variable STORE_ASSIST_SMTP_PASSWORD is not"):
            send_report(section(port, starttls=True, username=USER), "Week report", "Attached.", attachments)
    assert inbox.mails == []


def test_a_relay_whose_certificate_is_not_trusted_gets_no_mail(attachments, certificate) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    refused = pytest.raises(MailError, match="STARTTLS with the mail relay .* failed: CERTIFICATE_VERIFY_FAILED")
    with relay(inbox, tls_context=tls_context(certificate), require_starttls=True) as port, refused:
        send_report(section(port, starttls=True), "Day report", "Attached.", attachments)
    assert inbox.mails == []


def test_starttls_asked_of_a_relay_without_it_is_refused_before_anything_is_sent(attachments) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    refused = pytest.raises(MailError, match="does not offer what mail.starttls or mail.username needs")
    with relay(inbox) as port, refused:
        send_report(section(port, starttls=True), "Day report", "Attached.", attachments)
    assert inbox.mails == []


def test_a_relay_that_is_not_there_is_said_plainly(attachments) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    with pytest.raises(MailError, match=rf"the mail relay 127.0.0.1:{port} cannot be reached: Connection refused"):
        send_report(section(port), "Day report", "Attached.", attachments)


def test_refused_recipients_are_said_and_the_others_still_get_it(attachments, caplog) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox(refuse="@store.example")
    refused = pytest.raises(MailError, match="refused every recipient: mia@store.example .550 no such user here")
    with relay(inbox) as port, refused:
        send_report(section(port), "Day report", "Attached.", attachments)
    assert inbox.mails == []
    inbox = Inbox(refuse="ops@store.example")
    with relay(inbox) as port:
        send_report(section(port), "Day report", "Attached.", attachments)
    assert [m.rcpt_tos for m in inbox.mails] == [["mia@store.example"]]
    assert "refused ops@store.example (550 no such user here)" in caplog.text


def test_an_attachment_that_cannot_be_read_stops_the_mail(attachments, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    with relay(inbox) as port:
        with pytest.raises(MailError, match="cannot read the attachment .*missing.xlsx"):
            send_report(section(port), "Day report", "Attached.", [*attachments, tmp_path / "missing.xlsx"])
        with pytest.raises(MailError, match="mail.to is empty"):
            send_report(section(port, to=""), "Day report", "Attached.", attachments)
    assert inbox.mails == []


def test_the_report_command_mails_the_days_report_it_wrote(tmp_path: Path) -> None:
    """`store-assist-report --mail` as the store server runs it: the report's own files arrive."""
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with TinyDBEventLog(tmp_path / "record") as log:
        log.append_entry(LogEntry("r1", "H-001", Kind.HELP, "k1", "created", at, details={"topic": "question"}, seq=1))
        log.append_feedback(Feedback("fb1", "k1", 4, at, request_id="r1"))
    inbox = Inbox()
    with relay(inbox) as port:
        config = tmp_path / "store.toml"
        config.write_text(
            '[store]\nname = "Bouwmarkt Centrum"\n'
            '[mail]\nto = "mia@store.example"\nfrom = "store-assist@store.example"\n'
            f'host = "127.0.0.1"\nport = {port}\n'
        )
        out = tmp_path / "reports"
        done = subprocess.run(
            [sys.executable, "-m", "manager.report", "--record", str(tmp_path / "record"), "--from", "2026-11-24",
             "--config", str(config), "--out", str(out), "--mail"],
            cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "mailed to mia@store.example" in done.stdout
    [mail] = inbox.mails
    message = parsed(mail)
    assert message["Subject"] == "Bouwmarkt Centrum: report 2026-11-24" and mail.rcpt_tos == ["mia@store.example"]
    assert "Requests: 1" in message.get_body(("plain",)).get_content()
    sent = {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}
    written = {path.name: path.read_bytes() for path in out.iterdir()}
    assert sorted(sent) == ["report-2026-11-24_2026-11-24.html", "report-2026-11-24_2026-11-24.xlsx"]
    assert sent == written
