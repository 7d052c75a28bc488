"""A burst of sign-ins computes a bounded number of argon2id hashes at once (each holds 64 MiB)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from argon2 import PasswordHasher
from uponyaji_identity.security.passwords import Passwords


class CountingHasher(PasswordHasher):
    """argon2id with small parameters that records how many computations ran at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def _counted(self, work: Any, *args: Any) -> Any:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)  # long enough for the burst to overlap if nothing queues it
            return work(*args)
        finally:
            with self.lock:
                self.running -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        return str(self._counted(super().hash, password))

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        return bool(self._counted(super().verify, hash, password))


async def test_a_burst_of_sign_ins_runs_at_most_the_configured_hashes_at_once() -> None:
    """Twelve verifications and hashes at once: two run together at most, every answer right."""
    hasher = CountingHasher()
    passwords = Passwords(hasher, concurrency=2)
    encoded = await passwords.hash("correct horse battery staple")
    hasher.most = 0
    answers = await asyncio.gather(
        *(passwords.verify(encoded, "correct horse battery staple") for _ in range(5)),
        *(passwords.verify(encoded, "wrong password entirely") for _ in range(4)),
        passwords.waste_time("an unknown user's guess"),
        passwords.hash("another long passphrase"),
        passwords.hash("and one more passphrase"),
    )
    assert answers[:5] == [True] * 5
    assert answers[5:9] == [False] * 4
    assert all(isinstance(a, str) and a.startswith("$argon2id$") for a in answers[10:])
    assert hasher.most == 2  # queued, yet both slots used: a burst is not made one at a time
