"""A sliding-window rate limit per key (a staff member's searches), answered 429 + Retry-After."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from uponyaji_access.errors import AccessError


class TooManyRequests(AccessError):
    """Too many requests of one kind from one caller in the window: wait `Retry-After` seconds."""

    status_code = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
        self.headers = {"Retry-After": str(self.retry_after)}


class SlidingWindow:
    """At most `limit` hits per key in any `window` seconds, counted in this process.

    In memory: with N processes of a service behind a balancer a caller gets up to N × limit;
    the audit alerts (many searches in a day) see every process's records.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        what: str = "requests",
        max_keys: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.what = what
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str) -> None:
        """Count one hit for `key`; TooManyRequests (429) once it is over the limit."""
        now = self._clock()
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            retry = math.ceil(hits[0] + self.window - now)
            raise TooManyRequests(
                f"too many {self.what}: at most {self.limit} in {self.window:g} s; "
                f"try again in {max(1, retry)} s",
                retry,
            )
        hits.append(now)
