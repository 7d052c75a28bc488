"""A service's subject access records: one survivor's events with sealed values opened, nothing
of another survivor, erased values marked, audit records left out (real PostgreSQL)."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
from support import signed_store
from uponyaji_events.envelope import Actor, NewEvent
from uponyaji_events.sealing import ERASED, KeyStore, Sealer, load_kek
from uponyaji_service.subject_access import ANOTHER, UNREADABLE, subject_records

COUNSELLOR = Actor(id=str(uuid.uuid4()), role="counsellor")


async def test_one_survivors_records_opened_and_nothing_of_another(
    db: asyncpg.Pool, tmp_path: Path
) -> None:
    store = signed_store(db, "psychosocial")
    keys = KeyStore(db, load_kek(tmp_path / "kek", create=True))
    sealer = Sealer(keys)
    alpha, beta = uuid.uuid4(), uuid.uuid4()
    event = "psychosocial.SessionRecorded"
    session = uuid.uuid4()
    payload = {
        "session_id": str(session),
        "kind": "group",
        "retrospective_reason": str(
            await sealer.seal(beta, f"{event}/retrospective_reason", "Beta's reason (FAKE)")
        ),
        "participants": [
            {
                "survivor_id": str(alpha),
                "notes": str(await sealer.seal(alpha, f"{event}/notes", "Alpha's note (FAKE)")),
            },
            {
                "survivor_id": str(beta),
                "notes": str(await sealer.seal(beta, f"{event}/notes", "Beta's note (FAKE)")),
            },
        ],
    }
    await store.append("session", str(session), 0, [NewEvent(event, payload)], actor=COUNSELLOR)
    registered = "intake.SurvivorRegistered"
    for who, name in ((alpha, "Test Survivor Alpha"), (beta, "Test Survivor Beta")):
        sealed = await sealer.seal(who, f"{registered}/full_name", name)
        body = {"survivor_id": str(who), "full_name": str(sealed)}
        await store.append("survivor", str(who), 0, [NewEvent(registered, body)], actor=COUNSELLOR)
    merged = {"survivor_id": str(beta), "merged_survivor_id": str(alpha)}
    await store.append(
        "survivor", str(beta), 1, [NewEvent("intake.SurvivorsMerged", merged)], actor=COUNSELLOR
    )
    audit = {"staff_id": COUNSELLOR.id, "survivor_id": str(alpha), "action": "x"}
    read = NewEvent("psychosocial.SurvivorDataAccessed", audit)
    await store.append("audit", f"audit-x-{COUNSELLOR.id}", None, [read], actor=COUNSELLOR)
    await store.sequence()

    records = await subject_records(db, sealer, alpha)
    assert [r.type for r in records] == [event, registered, "intake.SurvivorsMerged"]
    text = repr([r.data for r in records])
    assert "Alpha's note (FAKE)" in text
    assert "Test Survivor Alpha" in text
    for other in ("Beta's note", "Beta's reason", "Test Survivor Beta", str(beta)):
        assert other not in text, other
    assert records[0].data["participants"] == [
        {"survivor_id": str(alpha), "notes": "Alpha's note (FAKE)"}
    ]
    assert records[0].data["retrospective_reason"] == UNREADABLE  # sealed under Beta's key
    assert records[2].data["survivor_id"] == ANOTHER

    await keys.destroy(alpha)  # erased: the survivor's values read as erased
    erased = await subject_records(db, Sealer(KeyStore(db, load_kek(tmp_path / "kek"))), alpha)
    assert erased[1].data["full_name"] == ERASED


async def test_values_bound_to_their_record_open_and_moved_ones_do_not(
    db: asyncpg.Pool, tmp_path: Path
) -> None:
    store = signed_store(db, "psychosocial")
    sealer = Sealer(KeyStore(db, load_kek(tmp_path / "kek", create=True)))
    alpha = uuid.uuid4()
    event = "psychosocial.SessionRecorded"
    session, elsewhere = uuid.uuid4(), uuid.uuid4()
    context = f"{event}/notes"
    bound = await sealer.seal(alpha, context, "Alpha's session note (FAKE)", record=str(session))
    moved = await sealer.seal(alpha, context, "A note of another session", record=str(elsewhere))
    for version, notes in enumerate((bound, moved)):  # both naming this session
        payload = {"survivor_id": str(alpha), "session_id": str(session), "notes": str(notes)}
        await store.append(
            "survivor", str(alpha), version, [NewEvent(event, payload)], actor=COUNSELLOR
        )
    await store.sequence()

    records = await subject_records(db, sealer, alpha)
    assert [r.data["notes"] for r in records] == ["Alpha's session note (FAKE)", UNREADABLE]
