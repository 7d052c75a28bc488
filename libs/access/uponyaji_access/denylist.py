"""Revoked sessions: a short-lived deny list of `sid`s, kept current from identity's revocations.

An access token lives 15 minutes, so a revoked session needs to be remembered only that long after
identity last listed it. `RevocationSync` polls `GET /auth/revocations` about once a second. That
endpoint needs a valid access token: until services have credentials of their own, the sync uses
recent verified caller tokens whose audience includes identity (kept in memory only, never
logged; a token identity refuses puts its own session on the list), and a request arriving while
the list is stale first triggers a sync with its own token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal

import httpx

from uponyaji_access.tokens import ACCESS_TOKEN_LIFETIME

log = logging.getLogger("uponyaji.access.denylist")

REVOCATIONS_PATH = "/auth/revocations"

# ok: list fetched; skipped: no token to ask with, or asked very recently; failed: identity
# unreachable or answered nonsense; refused: identity answered 401/403 to every token tried.
SyncResult = Literal["ok", "skipped", "failed", "refused"]


class DenyList:
    """Revoked session ids, each forgotten `ttl` seconds after it was last reported."""

    def __init__(
        self,
        ttl: float = ACCESS_TOKEN_LIFETIME + 60,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._until: dict[str, float] = {}
        self.synced_at: float | None = None

    def revoke(self, sid: str) -> None:
        """Refuse tokens of this session from now on (for the access-token lifetime)."""
        self.revoke_all([sid])

    def revoke_all(self, sids: Iterable[str]) -> None:
        """Refuse tokens of these sessions; re-reporting a session extends its entry."""
        until = self._clock() + self.ttl
        for sid in sids:
            self._until[sid] = max(until, self._until.get(sid, 0.0))

    def is_revoked(self, sid: str) -> bool:
        """Whether tokens of this session must be refused."""
        until = self._until.get(sid)
        if until is None:
            return False
        if until < self._clock():
            del self._until[sid]
            return False
        return True

    def prune(self) -> int:
        """Forget expired entries; return how many remain."""
        now = self._clock()
        for sid in [sid for sid, until in self._until.items() if until < now]:
            del self._until[sid]
        return len(self._until)

    def age(self) -> float | None:
        """Seconds since the last successful sync with identity (None: never)."""
        return None if self.synced_at is None else self._clock() - self.synced_at

    def __len__(self) -> int:
        return len(self._until)


class RevocationSync:
    """Keeps a DenyList current from identity's `GET /auth/revocations`."""

    def __init__(
        self,
        deny_list: DenyList,
        url: str,
        client: httpx.AsyncClient,
        *,
        interval: float = 1.0,
        max_staleness: float = 5.0,
        fail_closed_after: float | None = 60.0,
        keep_tokens: int = 16,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deny_list = deny_list
        self.url = url
        self.interval = interval
        self.max_staleness = max_staleness
        self.fail_closed_after = fail_closed_after
        self._started_at = clock()
        self._client = client
        self._clock = clock
        self._keep = keep_tokens
        self._tokens: dict[str, tuple[str, float]] = {}  # sid → (token, exp), memory only
        self._lock = asyncio.Lock()
        self._attempted_at: float | None = None

    def offer_token(self, token: str, claims: dict[str, Any]) -> None:
        """Keep a verified caller token for the next polls if its audience includes identity."""
        aud = claims.get("aud", [])
        if not isinstance(aud, list) or "identity" not in aud:
            return
        self._tokens[claims["sid"]] = (token, float(claims["exp"]))
        while len(self._tokens) > self._keep:
            oldest = min(self._tokens, key=lambda sid: self._tokens[sid][1])
            del self._tokens[oldest]

    def stale(self) -> bool:
        """Whether the deny list is older than `max_staleness` seconds."""
        age = self.deny_list.age()
        return age is None or age > self.max_staleness

    def too_stale(self) -> bool:
        """No refresh for `fail_closed_after` seconds (counted from start before the first one)."""
        if self.fail_closed_after is None:
            return False
        synced = self.deny_list.synced_at
        since = self._started_at if synced is None else synced
        return self._clock() - since > self.fail_closed_after

    def needs_sync(self) -> bool:
        """Stale, and identity was not already tried within `max_staleness` (a request may sync)."""
        if not self.stale():
            return False
        attempted = self._attempted_at
        return attempted is None or self._clock() - attempted >= self.max_staleness

    async def sync(self, token: str | None = None, sid: str | None = None) -> SyncResult:
        """Fetch the revoked sessions once, with the given token or a kept one.

        identity answering 401 to a token this service verified means its session is over:
        the sid goes on the deny list at once and the next kept token is tried.
        """
        async with self._lock:
            now = self._clock()
            if self._attempted_at is not None and now - self._attempted_at < self.interval / 2:
                return "skipped"
            offered = [(sid, token)] if token is not None and sid is not None else []
            candidates = offered or self._kept()
            if not candidates:
                return "skipped"
            self._attempted_at = now
            result: SyncResult = "skipped"
            for holder, bearer in candidates:
                result = await self._fetch(holder, bearer)
                if result != "refused":
                    break
            return result

    async def _fetch(self, sid: str, bearer: str) -> SyncResult:
        try:
            response = await self._client.get(
                self.url + REVOCATIONS_PATH, headers={"Authorization": f"Bearer {bearer}"}
            )
            if response.status_code in (401, 403):
                self._tokens.pop(sid, None)
                if response.status_code == 401:
                    self.deny_list.revoke(sid)
                return "refused"
            response.raise_for_status()
            sids = response.json()["sids"]
            if not isinstance(sids, list) or not all(isinstance(s, str) for s in sids):
                raise ValueError("sids must be a list of strings")
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("could not fetch revocations from identity: %s", type(exc).__name__)
            return "failed"
        self.deny_list.revoke_all(sids)
        self.deny_list.synced_at = self._clock()
        self.deny_list.prune()
        return "ok"

    async def run(self) -> None:
        """Poll identity every `interval` seconds until cancelled."""
        while True:
            try:
                await self.sync()
            except Exception as exc:  # keep polling whatever one round met
                log.error("revocation poll failed: %s", type(exc).__name__)
            await asyncio.sleep(self.interval)

    def _kept(self) -> list[tuple[str, str]]:
        now = time.time()
        for sid in [sid for sid, (_, exp) in self._tokens.items() if exp - 5 <= now]:
            del self._tokens[sid]
        ranked = sorted(self._tokens.items(), key=lambda item: item[1][1], reverse=True)
        return [(sid, token) for sid, (token, _) in ranked]
