"""The notary over a real store: heads outside the database, and each kind of tampering detected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from support import append_many, service_name, signed_store
from uponyaji_events.integrity import VerifyReport
from uponyaji_events.notary import HeadsFile, Notary, StoreBroken, check_heads, verify_store
from uponyaji_events.notary.merkle import verify_consistency, verify_inclusion
from uponyaji_events.store import EventStore

NewDatabase = Callable[..., Awaitable[asyncpg.Pool]]


async def _notarised(new_database: NewDatabase, tmp_path: Path) -> tuple[EventStore, Notary]:
    """Three streams of four signed events, notarised in two heads (8, then 12 events)."""
    store = signed_store(await new_database(), service_name())
    assert store.signer is not None
    notary = Notary(store.pool, store.signer, HeadsFile(tmp_path / "heads.jsonl"))
    await append_many(store, streams=2, per_stream=4)
    await store.sequence()
    first = await notary.tick()
    await append_many(store, streams=1, per_stream=4)
    await store.sequence()
    second = await notary.tick()
    assert first is not None
    assert second is not None
    assert (first.tree_size, second.tree_size) == (8, 12)
    return store, notary


async def _tamper(pool: asyncpg.Pool, *statements: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # past the triggers
        for sql in statements:
            await conn.execute(sql)


async def _report(notary: Notary) -> VerifyReport:
    return await verify_store(
        notary.pool, notary.service, notary.signer.public_keys(), notary.heads.read()
    )


async def test_heads_are_signed_chained_and_kept_outside_the_database(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    store, notary = await _notarised(new_database, tmp_path)
    heads = HeadsFile(tmp_path / "heads.jsonl").read()

    assert [h.tree_size for h in heads] == [8, 12]
    report = VerifyReport()
    check_heads(heads, notary.signer.public_keys(), report)  # the file alone, no database
    assert report.ok, report.problems
    assert heads[1].extends(heads[0])
    assert verify_consistency(8, 12, heads[0].root, heads[1].root, heads[1].consistency)
    assert (await _report(notary)).ok
    assert await notary.check() == []
    # Nothing new: no new head; new events: a head that extends the last one.
    assert await notary.tick() is None
    await append_many(store, streams=1, per_stream=1)
    await store.sequence()
    third = await notary.tick()
    assert third is not None
    assert third.tree_size == 13
    assert third.extends(heads[1])
    # The signing notary's memory does not grow with the store: it keeps the last head's
    # frontier (13 = 8 + 4 + 1: three hashes) and no leaf.
    assert notary.tree is not None
    assert (notary.tree.held, len(notary.tree.frontier())) == (0, 3)
    # A notary started on the same store and file continues the history from the file's head.
    restarted = Notary(store.pool, store.signer, HeadsFile(tmp_path / "heads.jsonl"))
    await append_many(store, streams=1, per_stream=2)
    await store.sequence()
    fourth = await restarted.tick()
    assert fourth is not None
    assert (fourth.tree_size, fourth.extends(third)) == (15, True)


async def test_an_edited_head_in_the_file_is_detected(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    _, notary = await _notarised(new_database, tmp_path)
    path = tmp_path / "heads.jsonl"
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace('"tree_size": 8', '"tree_size": 7')
    path.write_text("\n".join(lines) + "\n")

    problems = (await _report(notary)).problems
    assert any("tree head of 7" in p and "signature does not verify" in p for p in problems)


async def test_an_inclusion_proof_verifies_against_the_signed_head(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    store, notary = await _notarised(new_database, tmp_path)
    event = (await store.read_all(4, 1))[0]

    exported = await notary.proofs(event_id=event.event_id)

    (proof,) = exported["proofs"]
    head = exported["tree_head"]
    assert proof["position"] == 5
    assert head["tree_size"] == 12
    assert proof["verified"]
    assert verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["leaf_index"],
        head["tree_size"],
        [bytes.fromhex(h) for h in proof["inclusion_path"]],
        bytes.fromhex(head["root_hash"]),
    )
    assert proof["leaf_hash"] == notary.leaf(5, event.hash).hex()


async def _detected(notary: Notary, expected: str) -> None:
    """verify_store names the problem; the notary alarms, halts and signs nothing more."""
    problems = (await _report(notary)).problems
    assert any(expected in p for p in problems), problems
    assert await notary.check()
    assert notary.status.halted
    alarms = await notary.pool.fetch("SELECT source, path FROM integrity_alarms")
    assert [(a["source"], a["path"]) for a in alarms] == [(notary.service, "notary")]
    assert await notary.tick() is None


async def test_a_flipped_byte_is_detected(new_database: NewDatabase, tmp_path: Path) -> None:
    _, notary = await _notarised(new_database, tmp_path)
    await _tamper(
        notary.pool,
        "UPDATE events SET hash = set_byte(hash, 0, get_byte(hash, 0) # 1) WHERE position = 6",
    )

    await _detected(notary, "no longer have its root")
    assert any("position 6: signature does not verify" in p for p in notary.status.problems)


async def test_a_deleted_tail_is_detected(new_database: NewDatabase, tmp_path: Path) -> None:
    _, notary = await _notarised(new_database, tmp_path)
    # The last three events are the ends of their streams: chains and positions still look whole.
    await _tamper(notary.pool, "DELETE FROM events WHERE position > 9")
    assert (await _chains_only(notary.pool)).ok

    await _detected(notary, "the store holds only 9 events")


async def test_a_deleted_stream_is_detected(new_database: NewDatabase, tmp_path: Path) -> None:
    store, notary = await _notarised(new_database, tmp_path)
    victim = (await store.read_all(0, 1))[0].stream_id
    await _tamper(notary.pool, f"DELETE FROM events WHERE stream_id = '{victim}'")  # noqa: S608
    assert (await _chains_only(notary.pool)).ok

    await _detected(notary, "no event (removed)")
    assert any("no longer have its root" in p for p in notary.status.problems)


async def test_a_reordered_pair_is_detected(new_database: NewDatabase, tmp_path: Path) -> None:
    _, notary = await _notarised(new_database, tmp_path)
    await _tamper(
        notary.pool,
        "UPDATE events SET position = -3 WHERE position = 3",
        "UPDATE events SET position = 3 WHERE position = 4",
        "UPDATE events SET position = 4 WHERE position = -3",
    )
    assert (await _chains_only(notary.pool)).ok

    await _detected(notary, "position 3: signature does not verify")
    assert any("no longer have its root" in p for p in notary.status.problems)


async def test_a_restarted_notary_finds_a_deleted_tail_before_signing(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    store, _notary = await _notarised(new_database, tmp_path)
    await _tamper(store.pool, "DELETE FROM events WHERE position > 10")
    assert store.signer is not None
    restarted = Notary(store.pool, store.signer, HeadsFile(tmp_path / "heads.jsonl"))

    assert await restarted.tick() is None
    assert restarted.status.halted
    assert "events were deleted" in restarted.status.problems[0]
    assert [h.tree_size for h in restarted.heads.read()] == [8, 12]
    survivor = (await store.read_all(0, 1))[0]
    with pytest.raises(StoreBroken, match="fewer than the 12"):
        await restarted.proofs(event_id=survivor.event_id)  # no proof against a broken store


async def _chains_only(pool: asyncpg.Pool) -> VerifyReport:
    from uponyaji_events.integrity import verify

    return await verify(pool)


@pytest.fixture(autouse=True)
def _private_tmp(tmp_path: Path) -> None:
    tmp_path.chmod(0o700)


async def test_two_replicas_sharing_a_file_keep_one_consistent_history(
    new_database: NewDatabase, tmp_path: Path
) -> None:
    store = signed_store(await new_database(), service_name())
    assert store.signer is not None
    one, other = (
        Notary(store.pool, store.signer, HeadsFile(tmp_path / "heads.jsonl")) for _ in range(2)
    )
    sizes = []
    for notary, streams in ((one, 2), (other, 1), (one, 1)):
        await append_many(store, streams=streams, per_stream=2)
        await store.sequence()
        head = await notary.tick()
        assert head is not None
        sizes.append(head.tree_size)

    assert sizes == [4, 6, 8]
    assert (await _report(one)).ok
