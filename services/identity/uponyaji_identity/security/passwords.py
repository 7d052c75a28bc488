"""Passwords: argon2id hashing (argon2-cffi) and the strength rules of docs/identity.md.

Rules: at least 12 characters, at most 256; not in the bundled list of common passwords (also
after undoing common letter-for-symbol swaps); not a common word with only digits or symbols
added; not a run of a keyboard or alphabet sequence; not mostly one character; not containing
the username. A refused password is never logged or echoed.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import WeakPassword
from ..security.wordlist import BASE_WORDS, MIN_LENGTH

MAX_LENGTH = 256
_LEET = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "0": "o",
        "1": "i",
        "!": "i",
        "3": "e",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
        "8": "b",
        "9": "g",
    }
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm")


@cache
def common_passwords() -> frozenset[str]:
    """The bundled common-password list, normalised (read once per process)."""
    listed = resources.files("uponyaji_identity.security").joinpath("common_passwords.txt")
    text = listed.read_text("utf-8")
    return frozenset(_normalise(line) for line in text.splitlines() if line.strip())


@cache
def _base_words() -> frozenset[str]:
    return frozenset(_normalise(word) for word in BASE_WORDS if len(word) >= 4)


def _normalise(text: str) -> str:
    return text.strip().lower().translate(_LEET)


def _sequential(lowered: str) -> bool:
    for sequence in _SEQUENCES:
        for run in (sequence * 3, sequence[::-1] * 3):
            if lowered in run:
                return True
    return False


def password_problem(password: str, username: str | None = None) -> str | None:
    """What is wrong with a new password (None: acceptable). Never includes the password."""
    if len(password) < MIN_LENGTH:
        return f"password must be at least {MIN_LENGTH} characters long"
    if len(password) > MAX_LENGTH:
        return f"password must be at most {MAX_LENGTH} characters long"
    lowered = password.lower()
    if len(set(lowered)) < 5:
        return "password uses too few different characters"
    if username and len(username) >= 3 and username.lower() in lowered:
        return "password must not contain the username"
    if _normalise(password) in common_passwords():
        return "password is on the list of common passwords"
    core = _EDGES.sub("", lowered)
    if _normalise(core) in _base_words():
        return "password is a common word with only digits or symbols added"
    if _sequential(lowered):
        return "password is a keyboard or alphabet sequence"
    return None


def check_password(password: str, username: str | None = None, *, field: str = "password") -> None:
    """Raise WeakPassword (422) naming the field and the problem, if the password is weak."""
    problem = password_problem(password, username)
    if problem is not None:
        raise WeakPassword(f"{field}: {problem}")


class Passwords:
    """argon2id hashing and verification, off the event loop, a few at a time.

    Each argon2id computation holds its memory cost (64 MiB with the library's defaults) while it
    runs, so a burst of sign-ins is queued to `concurrency` computations at once (default: one per
    CPU, which is all the CPU can run anyway) instead of one per worker thread."""

    def __init__(
        self, hasher: PasswordHasher | None = None, concurrency: int | None = None
    ) -> None:
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        # Verified against for unknown usernames, so they take as long as known ones.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(24))
        self._running = asyncio.Semaphore(concurrency or os.cpu_count() or 1)

    async def hash(self, password: str) -> str:
        """The argon2id hash of a password (encoded with its salt and parameters)."""
        async with self._running:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, encoded: str, password: str) -> bool:
        """Whether the password matches the hash."""
        async with self._running:
            return await asyncio.to_thread(self._verify, encoded, password)

    async def waste_time(self, password: str) -> None:
        """Spend as long as a real verification (unknown user), always failing."""
        async with self._running:
            await asyncio.to_thread(self._verify, self._dummy, password)

    def needs_rehash(self, encoded: str) -> bool:
        """Whether the hash was made with weaker parameters than today's."""
        return self._hasher.check_needs_rehash(encoded)

    def _verify(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
