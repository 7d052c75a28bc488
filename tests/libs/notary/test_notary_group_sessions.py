"""A survivor's inclusion proofs cover the group sessions they took part in: every event of a
session stream on which an event lists them among its `participants`, and nothing of sessions
they were not in."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from support import service_name, signed_store
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.notary import HeadsFile, Notary
from uponyaji_events.notary.merkle import verify_inclusion

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]
ACTOR = Actor(id="0190a8e5-7c00-7000-8000-000000000101", role="counsellor")


def _attended(*survivors: uuid.UUID) -> list[dict[str, str]]:
    return [{"survivor_id": str(s), "attendance": "attended"} for s in survivors]


async def test_a_survivors_proofs_include_the_group_sessions_they_took_part_in(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    store = signed_store(await new_database(), service_name())
    assert store.signer is not None
    alpha, bravo = uuid.uuid4(), uuid.uuid4()
    group, alone = uuid.uuid4(), uuid.uuid4()

    async def append(stream_type: str, stream: uuid.UUID, version: int, payload: dict) -> str:  # type: ignore[type-arg]
        [event] = await store.append(
            stream_type,
            str(stream),
            version,
            [NewEvent(f"svc.{stream_type.title()}Happened", payload)],
            actor=ACTOR,
        )
        return str(event.event_id)

    own = await append("survivor", alpha, 0, {"survivor_id": str(alpha)})
    await append("survivor", bravo, 0, {"survivor_id": str(bravo)})
    recorded = await append(
        "session", group, 0, {"session_id": str(group), "participants": _attended(bravo, alpha)}
    )
    # A later event of the same session that names nobody is still part of it.
    followed = await append("session", group, 1, {"session_id": str(group)})
    await append("session", alone, 0, {"session_id": str(alone), "participants": _attended(bravo)})
    await store.sequence()
    notary = Notary(store.pool, store.signer, HeadsFile(tmp_path / "heads.jsonl"))
    head = await notary.tick()
    assert head is not None

    answer = await notary.proofs(survivor_id=alpha)

    assert [p["event_id"] for p in answer["proofs"]] == [own, recorded, followed]
    root = bytes.fromhex(answer["tree_head"]["root_hash"])
    for proof in answer["proofs"]:
        assert proof["verified"] is True
        assert verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            proof["leaf_index"],
            head.tree_size,
            [bytes.fromhex(h) for h in proof["inclusion_path"]],
            root,
        )
    others = await notary.proofs(survivor_id=bravo)
    assert len(others["proofs"]) == 4  # their own, the group session's two, their own session
