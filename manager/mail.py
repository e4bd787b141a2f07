"""Mailing a report through the store's SMTP relay ([mail] in config/store.toml).

Touches the network (smtplib) and reads the attachments. Every way it can go
wrong — the relay cannot be reached, refuses the login or the mail, or offers
no STARTTLS when asked for it — becomes one `MailError` with a plain message
that names the relay; nothing is half sent (SMTP takes the whole mail or none).
The password comes from the environment variable `mail.password_env` names;
with STARTTLS the relay's certificate is checked against the system's CAs
(a store's own CA: SSL_CERT_FILE).
"""

from __future__ import annotations

import logging
import mimetypes
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from shell.store_config import MailSection

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for the relay to answer each step


class MailError(Exception):
    """The report could not be mailed; the message says why, for the log."""


def report_message(mail: MailSection, subject: str, text: str, attachments: list[Path]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = ", ".join(mail.recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or None)
    message.set_content(text)
    for path in attachments:
        kind, _encoding = mimetypes.guess_type(path.name)
        main, sub = (kind or "application/octet-stream").split("/", 1)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MailError(f"cannot read the attachment {path}: {exc.strerror or exc}") from None
        message.add_attachment(data, maintype=main, subtype=sub, filename=path.name)
    return message


def send_report(mail: MailSection, subject: str, text: str, attachments: list[Path]) -> None:
    """Mail `text` with `attachments` to `mail.to`; MailError when it cannot."""
    if not mail.recipients:
        raise MailError("mail.to is empty: there is nobody to mail the report to")
    if not mail.host:
        raise MailError("mail.host is empty: the store's SMTP relay is needed to mail the report")
    message = report_message(mail, subject, text, attachments)
    relay = f"the mail relay {mail.host}:{mail.port}"
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=TIMEOUT) as smtp:
            if mail.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if mail.username:
                password = mail.password
                if password is None:
                    raise MailError(f"mail.username is set but the environment variable {mail.password_env} is not")
                smtp.login(mail.username, password)
            refused = smtp.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"{relay} refused the login of {mail.username!r}: {_answer(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"{relay} does not offer what mail.starttls or mail.username needs: {exc}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        who = ", ".join(f"{address} ({_answer(error)})" for address, error in exc.recipients.items())
        raise MailError(f"{relay} refused every recipient: {who}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"{relay} refused the sender {mail.sender}: {_answer(exc)}") from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{relay} refused the mail: {_answer(exc)}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"{relay} broke off: {exc}") from None
    except ssl.SSLError as exc:  # before OSError, of which it is one
        raise MailError(f"STARTTLS with {relay} failed: {exc.reason or exc}") from None
    except OSError as exc:
        raise MailError(f"{relay} cannot be reached: {exc.strerror or exc}") from None
    if refused:
        # The others have it: mailing it again would send it to them twice. A line in the log is enough.
        who = ", ".join(f"{address} ({_answer(error)})" for address, error in refused.items())
        log.warning("%s took the report %r but refused %s", relay, subject, who)


def _answer(error: object) -> str:
    """The relay's own answer, "550 no such user", from an smtplib error or a (code, text) pair."""
    if isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    elif isinstance(error, tuple) and len(error) == 2:
        code, text = error
    else:
        return str(error)
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()
