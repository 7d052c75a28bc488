"""A source's public keys: a failed fetch leaves the next event waiting for the keys, never
refusing it as signed by an unknown key."""

from __future__ import annotations

import pytest
from uponyaji_events.signing import CachedKeys, Signer


async def test_a_failed_fetch_is_retried_at_once_and_the_key_is_then_known() -> None:
    signer = Signer.generate("intake")
    [(key_id, raw)] = signer.public_keys().items()
    calls = {"n": 0}

    async def fetch() -> dict[str, bytes]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("identity refused a service token (429)")
        return {key_id: raw}

    keys = CachedKeys(fetch, min_refresh=60.0)
    with pytest.raises(ConnectionError):
        await keys.get(key_id)
    assert await keys.get(key_id) is not None  # not None for a minute: the key is fetched now
    assert calls["n"] == 2
