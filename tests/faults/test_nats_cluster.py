"""A three-node NATS cluster loses nothing: commands keep flowing while nodes die and return.

Identity, intake, psychosocial and reporting run as processes (as the launcher starts them) on a
three-node JetStream cluster on loopback, streams with three replicas and `sync_interval: always`.
While staff commands go to intake and psychosocial, the INTAKE stream's leader is SIGKILLed, then
a second node is stopped (leaving no quorum) and restarted, then the first comes back. Every
command that was acknowledged (2xx) must show in reporting's journeys exactly once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from e2e.reporting_stack import (
    Stack,
    consent,
    created,
    phq9,
    registration,
    running_stack,
    until_accepted,
)
from natscluster import NatsCluster
from uponyaji_events.natsconn import REPLICAS_ENV, server_urls, stream_replicas

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

STREAMS = ("IDENTITY", "INTAKE", "PSYCHOSOCIAL", "REPORTING")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    """Three nats-server processes routed to each other."""
    nodes = NatsCluster(tmp_path / "nats")
    nodes.start()
    try:
        asyncio.run(nodes.wait_ready())
        yield nodes
    finally:
        nodes.stop()


@pytest.fixture
def stack(
    cluster: NatsCluster,
    new_database_url: Callable[[], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Stack]:
    """The four services, each given every node's URL and streams of three replicas."""
    monkeypatch.setenv("UPONYAJI_NATS_STREAM_REPLICAS", "3")
    with running_stack(cluster, new_database_url, tmp_path / "services") as running:  # type: ignore[arg-type]
        yield running


class Ledger:
    """What the cluster was asked to carry: acknowledged commands per survivor, and refusals."""

    def __init__(self) -> None:
        self.milestones: dict[str, Counter[str]] = {}
        self.refused: list[str] = []

    def registered(self, survivor: str) -> None:
        """A 201 from intake: registration, assignment and two consents."""
        self.milestones[survivor] = Counter(registered=1, case_assigned=1, consent_granted=2)

    def assessed(self, survivor: str) -> None:
        """A 201 from psychosocial: one assessment."""
        self.milestones[survivor]["assessment"] += 1


async def register(stack: Stack, ledger: Ledger) -> str:
    """Register a synthetic survivor with both consents; recorded once intake acknowledged all."""
    async with stack.client("intake", "intake_officer") as officer:
        name = f"Fake {uuid.uuid4().hex[:8]} {uuid.uuid4().hex[:8]}"  # shares only "Fake"
        body = registration(name, "047", "female", "25-34")
        survivor = str(created(await officer.post("/survivors", json=body))["survivor_id"])
        for scope in ("documentation", "psychosocial_support"):
            created(await officer.post(f"/survivors/{survivor}/consents", json=consent(scope)))
    ledger.registered(survivor)
    return survivor


async def assess(stack: Stack, ledger: Ledger, survivor: str) -> None:
    """A PHQ-9 (total 5, no risk item) at psychosocial; recorded when acknowledged."""
    body = {"instrument": "PHQ-9", "responses": phq9(5)}
    async with stack.client("psychosocial", "counsellor") as counsellor:
        response = await counsellor.post(f"/survivors/{survivor}/assessments", json=body)
    if response.status_code == 201:
        ledger.assessed(survivor)
    else:
        ledger.refused.append(f"{response.status_code} {response.text[:200]}")


async def traffic(stack: Stack, ledger: Ledger, known: list[str], stop: asyncio.Event) -> None:
    """Until `stop`: a registration at intake and an assessment at psychosocial, round by round."""
    turn = 0
    while not stop.is_set():
        await register(stack, ledger)
        await assess(stack, ledger, known[turn % len(known)])
        turn += 1
        await asyncio.sleep(0.05)


async def journeys(stack: Stack, survivors: list[str]) -> dict[str, Counter[str]]:
    """Milestone counts per survivor as reporting shows them (empty when not heard of yet)."""
    seen: dict[str, Counter[str]] = {}
    async with stack.client("reporting", "counsellor") as reader:
        for survivor in survivors:
            response = await reader.get(f"/journeys/{survivor}")
            if response.status_code == 404:
                seen[survivor] = Counter()
                continue
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            seen[survivor] = Counter(m["kind"] for m in body["milestones"])
    return seen


async def test_acknowledged_commands_reach_journeys_once_through_leader_loss_and_no_quorum(
    cluster: NatsCluster, stack: Stack
) -> None:
    # Production settings are in force: fsync on every write, three replicas of every stream.
    for node in cluster.nodes:
        assert node.varz()["jetstream"]["config"]["sync_always"] is True  # type: ignore[index]
    ledger = Ledger()
    known = [await register(stack, ledger) for _ in range(4)]
    body = {"instrument": "PHQ-9", "responses": phq9(5)}
    async with stack.client("psychosocial", "counsellor") as counsellor:
        for survivor in known:  # psychosocial has heard of survivor and consent through NATS
            send = partial(counsellor.post, f"/survivors/{survivor}/assessments", json=body)
            created(await until_accepted(send))
            ledger.assessed(survivor)
    for stream in ("INTAKE", "PSYCHOSOCIAL"):
        assert (await cluster.stream_leader(stream))[1] == 3, stream

    stop = asyncio.Event()
    load = asyncio.create_task(traffic(stack, ledger, known, stop))
    await asyncio.sleep(3)
    leader, _ = await cluster.stream_leader("INTAKE")
    cluster.node(leader).kill()  # the stream leader dies mid-write
    await asyncio.sleep(8)
    second = next(n for n in cluster.nodes if n.name != leader)
    second.stop()  # one node of three left: no quorum, JetStream refuses writes
    await asyncio.sleep(5)
    cluster.start(second)
    await asyncio.sleep(4)
    cluster.start(cluster.node(leader))  # the killed node rejoins and catches up
    await asyncio.sleep(3)
    stop.set()
    await load
    assert ledger.refused == []
    commands = sum(sum(c.values()) for c in ledger.milestones.values())
    assert len(ledger.milestones) > 20, ledger.milestones  # the traffic really ran through it all

    deadline = time.monotonic() + 90
    while True:
        seen = await journeys(stack, list(ledger.milestones))
        if seen == ledger.milestones or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    missing = {s: ledger.milestones[s] - seen[s] for s in seen if ledger.milestones[s] - seen[s]}
    extra = {s: seen[s] - ledger.milestones[s] for s in seen if seen[s] - ledger.milestones[s]}
    assert not missing, f"acknowledged but never in a journey: {missing}\n{stack.tails()}"
    assert not extra, f"applied more than once: {extra}"
    assert commands > 0


def test_replica_setting_refuses_what_jetstream_cannot_do() -> None:
    """The replica count is 1..5; anything else is refused naming the variable."""
    assert stream_replicas({}) == 1
    assert stream_replicas({REPLICAS_ENV: "3"}) == 3
    for bad in ("0", "6", "three", "-1"):
        with pytest.raises(ValueError, match=REPLICAS_ENV):
            stream_replicas({REPLICAS_ENV: bad})
    assert server_urls("nats://a:4222, nats://b:4222,") == ["nats://a:4222", "nats://b:4222"]
