"""Ticket formats: what a store may choose, and when two kiosks would clash."""

from __future__ import annotations

import pytest

from core.model import Kind
from core.numbering import DEFAULT_FORMAT, FormatError, check_format, clash, number_of, ticket_number


def test_the_default_format_is_the_type_letter_and_three_digits() -> None:
    assert ticket_number(Kind.HELP, 7) == "H-007"
    assert ticket_number(Kind.FIND, 1234) == "F-1234"
    assert check_format(DEFAULT_FORMAT) == DEFAULT_FORMAT


@pytest.mark.parametrize(
    ("fmt", "says"),
    [
        ("{type}", "needs {type} and {number}"),
        ("{number:03d}", "needs {type} and {number}"),
        ("{type}-{number}-{number}", "once each"),
        ("{type} {number:03d}", "no spaces"),
        ("{type}-{nummer:03d}", "needs {type} and {number}"),
        ("{type}-{number:03x", "use {type}, {number}"),
        ("{type}-{number:s}", "use {type}, {number}"),
        ("{type}-{number:030d}", "at most 16"),
    ],
)
def test_a_format_that_cannot_work_is_refused_with_the_reason(fmt: str, says: str) -> None:
    with pytest.raises(FormatError) as refused:
        check_format(fmt)
    assert says in str(refused.value)


def test_two_kiosks_on_the_default_format_clash_and_a_prefix_keeps_them_apart() -> None:
    assert clash(DEFAULT_FORMAT, DEFAULT_FORMAT) == "F-001"
    assert clash(DEFAULT_FORMAT, "N{type}-{number:03d}") is None
    # Different formats can still meet: F-100 comes out of both.
    assert clash("{type}-{number:03d}", "{type}-{number}") == "F-100"


def test_the_running_number_is_read_back_from_the_end_of_a_ticket() -> None:
    assert number_of("NH-017") == 17
    assert number_of("H-017-N") is None
