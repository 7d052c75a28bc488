"""NATS boundaries: no anonymous client; a service's user publishes only its own subjects."""

from __future__ import annotations

import asyncio
import uuid

import nats
import pytest
from nats.errors import NoServersError
from nats.js.api import ConsumerConfig, StreamConfig
from natskit import nats_credentials
from uponyaji_events.natsconn import connect, ensure_stream
from uponyaji_launcher.nats import EmbeddedNats


async def test_an_anonymous_client_cannot_connect(nats_server: EmbeddedNats) -> None:
    errors: list[Exception] = []

    async def note(exc: Exception) -> None:
        errors.append(exc)

    with pytest.raises((NoServersError, nats.errors.Error, OSError)):
        await nats.connect(
            nats_server.plain_url, allow_reconnect=False, connect_timeout=2, error_cb=note
        )
    assert any("authorization" in str(e).lower() for e in errors), errors


async def test_a_wrong_password_is_refused(nats_server: EmbeddedNats) -> None:
    creds = nats_credentials(nats_server, "intake")
    with pytest.raises((NoServersError, nats.errors.Error, OSError)):
        await nats.connect(
            nats_server.plain_url,
            user=creds.user,
            password=creds.password + "x",
            allow_reconnect=False,
            connect_timeout=2,
        )


async def test_a_service_publishes_its_own_subjects_only(nats_server: EmbeddedNats) -> None:
    violations: list[str] = []
    intake = await connect(
        nats_server.plain_url, "intake-test", credentials=nats_credentials(nats_server, "intake")
    )
    # A second client as the test kit, watching what actually arrives on each subject.
    watcher = await nats.connect(nats_server.url)
    seen: list[str] = []

    async def record(msg: nats.aio.msg.Msg) -> None:
        seen.append(msg.subject)

    await watcher.subscribe("intake.>", cb=record)
    await watcher.subscribe("psychosocial.>", cb=record)
    await watcher.flush()

    async def on_error(exc: Exception) -> None:
        violations.append(str(exc))

    intake._error_cb = on_error
    await intake.publish("intake.case.CaseAssigned", b"{}")
    await intake.publish("psychosocial.plan.DataKeyDestroyed", b"{}")
    await intake.flush()
    await asyncio.sleep(0.3)
    assert seen == ["intake.case.CaseAssigned"]
    assert any("permissions violation" in v.lower() for v in violations), violations
    await intake.close()
    await watcher.close()


async def test_a_service_cannot_create_or_delete_another_services_stream(
    nats_server: EmbeddedNats,
) -> None:
    psychosocial = await connect(
        nats_server.plain_url, "p-test", credentials=nats_credentials(nats_server, "psychosocial")
    )
    js = psychosocial.jetstream()
    medical = StreamConfig(name="MEDICAL", subjects=["medical.>"])
    with pytest.raises(Exception):  # noqa: B017,PT011 - the server drops the request: a timeout
        await asyncio.wait_for(js.add_stream(medical), 3)
    with pytest.raises(Exception):  # noqa: B017,PT011
        await asyncio.wait_for(js.delete_stream("PSYCHOSOCIAL_TEST_OTHER"), 3)
    await ensure_stream(js, "psychosocial")  # its own stream it may create
    assert (await js.stream_info("PSYCHOSOCIAL")).config.subjects == ["psychosocial.>"]
    await psychosocial.close()


async def test_a_service_may_follow_its_own_stream_with_a_durable_consumer(
    nats_server: EmbeddedNats,
) -> None:
    as_reporting = nats_credentials(nats_server, "reporting")
    reporting = await connect(nats_server.plain_url, "r-test", credentials=as_reporting)
    js = reporting.jetstream()
    await ensure_stream(js, "reporting")
    await js.publish("reporting.audit.test", b"{}")
    durable = f"own_{uuid.uuid4().hex[:8]}"
    config = ConsumerConfig(durable_name=durable, filter_subject="reporting.>")
    await asyncio.wait_for(js.add_consumer("REPORTING", config), 5)
    follow = await js.pull_subscribe_bind(durable=durable, stream="REPORTING")
    got = await follow.fetch(1, timeout=5)
    assert got[0].subject.startswith("reporting.")
    await reporting.close()
    kit = await nats.connect(nats_server.url)  # the test kit's user tidies up
    await kit.jetstream().delete_consumer("REPORTING", durable)
    await kit.close()
