"""A command reads the survivor stream only when it moved since this process last folded it.

Every append to a survivor stream keeps the stream's version on the survivor's row (a trigger),
and a command's row lock returns that row as the last writer committed it. A process whose
remembered state is at that version skips the read; one whose state is older (another worker
process, a seed, any other writer appended) reads the newer events as before.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from psychosocial_support import PHQ9_RISKY, As, FakeIntake
from uponyaji_events.envelope import Actor
from uponyaji_events.states import Folded, StreamStates
from uponyaji_events.store import EventStore
from uponyaji_psychosocial import domain
from uponyaji_psychosocial.handlers.assessments import record_assessment
from uponyaji_psychosocial.handlers.base import Psychosocial
from uponyaji_psychosocial.schemas import AssessmentBody
from uponyaji_service import running

GAD7 = {"instrument": "GAD-7", "responses": [1] * 7}


async def survivor(intake: FakeIntake, app: FastAPI) -> str:
    found = await intake.register()
    await intake.deliver(app)
    return str(found)


def command_side(app: FastAPI) -> Psychosocial:
    side = running(app).resources
    assert isinstance(side, Psychosocial)
    return side


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stream ids the event store is asked to read, in order."""
    asked: list[str] = []
    real = EventStore.load

    async def counted(self: EventStore, stream_id: str, **kw: Any) -> Any:
        asked.append(stream_id)
        return await real(self, stream_id, **kw)

    monkeypatch.setattr(EventStore, "load", counted)
    return asked


async def test_the_row_keeps_the_stream_version_and_an_unmoved_stream_is_not_read(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool, loads: list[str]
) -> None:
    sid = await survivor(intake, app)
    for n in range(3):
        answer = await counsellor.post(f"/survivors/{sid}/assessments", GAD7)
        assert answer.status_code == 201, answer.text
        head = await pool.fetchval("SELECT max(version) FROM events WHERE stream_id = $1", sid)
        kept = await pool.fetchval(
            "SELECT stream_version FROM survivors WHERE survivor_id = $1", uuid.UUID(sid)
        )
        assert kept == head == n + 1
    assert loads.count(sid) == 1  # the first command read the stream; the others knew it
    listed = (await counsellor.get(f"/survivors/{sid}/assessments")).json()["assessments"]
    assert len(listed) == 3


async def test_another_writers_append_is_folded_by_the_next_command(
    app: FastAPI, intake: FakeIntake, counsellor: As, loads: list[str]
) -> None:
    sid = await survivor(intake, app)
    assert (await counsellor.post(f"/survivors/{sid}/assessments", GAD7)).status_code == 201
    # Another worker process: the same database, a memory of its own.
    other = dataclasses.replace(command_side(app), states=StreamStates())
    actor = Actor(id=str(uuid.uuid4()), role="counsellor")
    theirs = await record_assessment(
        other, uuid.UUID(sid), AssessmentBody.model_validate(GAD7), actor
    )
    recorded = theirs[0].payload["assessment_id"]
    before = len(loads)

    # This process remembers the stream at version 1; the row says 2: it reads the new event,
    # so the assessment the other process recorded can be corrected here.
    fixed = await counsellor.post(
        f"/survivors/{sid}/assessments/{recorded}/correction",
        {**GAD7, "reason": "Synthetic: item misread"},
    )

    assert fixed.status_code == 201, fixed.text
    assert loads[before:] == [sid]
    remembered = command_side(app).states.get(sid)
    assert remembered is not None
    assert remembered.version == 3
    assert str(recorded) in {str(a) for a in remembered.state.assessments}


async def test_a_memory_the_store_contradicts_at_the_same_version_conflicts_once(
    app: FastAPI, intake: FakeIntake, counsellor: As, pool: asyncpg.Pool
) -> None:
    sid = await survivor(intake, app)
    assert (await counsellor.post(f"/survivors/{sid}/assessments", GAD7)).status_code == 201
    side = command_side(app)
    known = side.states.get(sid)
    assert known is not None
    # The same version with another last event (e.g. the database was replaced under the
    # process): the row's version matches, the append's guard does not.
    side.states.forget(sid)
    side.states.put(sid, Folded(known.version, b"\x01" * 32, known.state))
    events = await pool.fetchval("SELECT count(*) FROM events")

    conflict = await counsellor.post(f"/survivors/{sid}/assessments", GAD7)

    assert conflict.status_code == 409, conflict.text
    assert await pool.fetchval("SELECT count(*) FROM events") == events  # nothing written
    assert side.states.get(sid) is None  # forgotten: the next command folds from the start
    assert (await counsellor.post(f"/survivors/{sid}/assessments", GAD7)).status_code == 201


async def test_the_state_remembered_after_commands_is_the_state_a_fresh_fold_gives(
    app: FastAPI, intake: FakeIntake, counsellor: As
) -> None:
    sid = await survivor(intake, app)
    scored = await counsellor.post(
        f"/survivors/{sid}/assessments", {"instrument": "PHQ-9", "responses": PHQ9_RISKY}
    )
    assert scored.status_code == 201, scored.text
    first = scored.json()
    fix = {"instrument": "PHQ-9", "responses": [1] * 9, "reason": "Synthetic"}
    url = f"/survivors/{sid}/assessments/{first['assessment_id']}/correction"
    assert (await counsellor.post(url, fix)).status_code == 201
    goal = {"domain": "relationships", "description": "Synthetic", "target_date": "2100-05-01"}
    assert (await counsellor.post(f"/survivors/{sid}/care-plan/goals", goal)).status_code == 201

    remembered = command_side(app).states.get(sid)
    events = await command_side(app).store.load(sid)

    assert remembered is not None
    assert (remembered.version, remembered.hash) == (events[-1].version, events[-1].hash)
    assert remembered.state == domain.fold(events, None)
