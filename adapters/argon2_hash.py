"""Staff PINs and passwords hashed with Argon2id (argon2-cffi). The only module that imports argon2.

Touches nothing but memory and the CPU. The parameters are OWASP's for
Argon2id (19 MiB, 2 passes, 1 lane): about 30 ms a hash on the store server,
and 19 MiB at a time instead of argon2-cffi's default 64 MiB, which keeps the
web service's peak memory small while staff sign in at the start of a shift.
A hash made with other parameters still verifies; `needs_rehash` says when to
store it again with these.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TIME_COST = 2
MEMORY_KIB = 19 * 1024
PARALLELISM = 1


class PinHasher:
    def __init__(self) -> None:
        self._hasher = PasswordHasher(
            time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM, type=Type.ID
        )

    def hash(self, pin: str) -> str:
        """The encoded hash (`$argon2id$v=19$m=…`), salt included."""
        return self._hasher.hash(pin)

    def verify(self, stored: str, pin: str) -> bool:
        """Whether `pin` is the one `stored` was made from; False for a damaged hash too."""
        try:
            return self._hasher.verify(stored, pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Made with other parameters than today's (hash it again at the next good sign-in)."""
        try:
            return self._hasher.check_needs_rehash(stored)
        except (InvalidHashError, ValueError):
            return True
