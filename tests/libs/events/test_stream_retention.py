"""Retention of the NATS streams: every stream expires its events after the configured days, and
a stream created before (or with another retention) is brought to it."""

from __future__ import annotations

import uuid

import pytest
from nats.js.api import StorageType, StreamConfig
from uponyaji_events.natsconn import (
    DEFAULT_MAX_AGE_DAYS,
    connect,
    ensure_stream,
    stream_max_age,
    stream_name,
)
from uponyaji_launcher.nats import EmbeddedNats

DAY = 86400.0


def test_the_retention_is_configured_in_days_and_never_unbounded() -> None:
    assert stream_max_age({}) == DEFAULT_MAX_AGE_DAYS * DAY
    assert stream_max_age({"UPONYAJI_NATS_MAX_AGE_DAYS": "7"}) == 7 * DAY
    for bad in ("0", "-1", "forever", "3651", "1.5"):
        with pytest.raises(ValueError, match="UPONYAJI_NATS_MAX_AGE_DAYS"):
            stream_max_age({"UPONYAJI_NATS_MAX_AGE_DAYS": bad})


async def test_streams_get_the_configured_max_age_new_or_existing(
    nats_server: EmbeddedNats, monkeypatch: pytest.MonkeyPatch
) -> None:
    nc = await connect(nats_server.url, "retention-test")
    js = nc.jetstream()
    try:
        fresh = f"retention_{uuid.uuid4().hex[:8]}"
        monkeypatch.setenv("UPONYAJI_NATS_MAX_AGE_DAYS", "14")
        await ensure_stream(js, fresh)
        assert (await js.stream_info(stream_name(fresh))).config.max_age == 14 * DAY

        older = f"retention_{uuid.uuid4().hex[:8]}"  # made before retention: kept forever
        await js.add_stream(
            StreamConfig(name=stream_name(older), subjects=[f"{older}.>"], storage=StorageType.FILE)
        )
        assert not (await js.stream_info(stream_name(older))).config.max_age
        await js.publish(f"{older}.survivor.Kept", b"{}")
        await ensure_stream(js, older)
        info = await js.stream_info(stream_name(older))
        assert info.config.max_age == 14 * DAY
        assert info.state.messages == 1  # nothing younger than the retention is lost

        await ensure_stream(js, older, max_age=2 * DAY)  # a changed setting is applied
        assert (await js.stream_info(stream_name(older))).config.max_age == 2 * DAY
        for name in (fresh, older):
            await js.delete_stream(stream_name(name))
    finally:
        await nc.close()
