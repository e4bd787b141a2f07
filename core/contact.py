"""Checking the contact details a shopper leaves with their feedback.

Pure: no I/O. A phone number (6 to 15 digits, with +, spaces, dashes or
brackets between) or an e-mail address (something@somewhere.tld). Anything
else gets a message id the screen shows in the shopper's language.
"""

from __future__ import annotations

import re

from core.text import clean_text

CONTACT_MAX = 80
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE = re.compile(r"^\+?[\d\s()\-]+$")

BAD_CONTACT = "Enter a phone number or an e-mail address, or leave it empty."


class ContactError(ValueError):
    """The contact details cannot be used; the message is a message id."""


def check_contact(text: str) -> str:
    """The contact, cleaned ('' when none was given), or ContactError."""
    contact = clean_text(text, CONTACT_MAX + 1)
    if not contact:
        return ""
    if len(contact) > CONTACT_MAX:
        raise ContactError(BAD_CONTACT)
    if _EMAIL.match(contact):
        return contact
    digits = sum(ch.isdigit() for ch in contact)
    if _PHONE.match(contact) and 6 <= digits <= 15:
        return contact
    raise ContactError(BAD_CONTACT)
