"""One contract, every `Caseload`: each service answers "whose caseload is this survivor on?"
exactly as intake, which assigns cases, does.

Access decisions in every service rest on its declared Caseload; each is built from the
assignment intake published (`intake.CaseAssigned`, `intake.SurvivorRegistered`) into that
service's own tables. A real intake records registrations (its demo seed), assignments and a
reassignment with its own command handlers; every follower catches up from intake's store; then
each implementation must give intake's answer for every survivor, and None for one never heard of.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from kit.services import World, database_factory, declared, isolated
from uponyaji_access import SurvivorCaseload
from uponyaji_events.envelope import Actor
from uponyaji_intake.handlers import care
from uponyaji_intake.schemas import AssignmentBody
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_service import running

IMPLEMENTATIONS = ("intake", "psychosocial", "medical", "empowerment", "reporting")
OFFICER = Actor(id=str(uuid.uuid4()), role="intake_officer")
TEAM = uuid.UUID("00000000-0000-4000-8000-00000000a001")
OTHER_TEAM = uuid.UUID("00000000-0000-4000-8000-00000000a002")
WORKER = uuid.UUID("00000000-0000-4000-8000-00000000b001")
OTHER_WORKER = uuid.UUID("00000000-0000-4000-8000-00000000b002")


@pytest.fixture(scope="module")
async def apps(
    postgres: Any,
    kernel_template: str,
    nats_server: EmbeddedNats,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, FastAPI]]:
    """A seeded intake with assignments, and every service that keeps a caseload, caught up."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolated(monkeypatch)
        async with AsyncExitStack() as stack:
            world = World(
                stack,
                tmp_path_factory.mktemp("caseloads"),
                database_factory(postgres, kernel_template),
                nats_server.url,
            )
            intake = await world.seeded_intake()
            first, second, *_ = await _survivors(running(intake).parts.pool, "open")
            handler = running(intake).resources
            assigned = AssignmentBody(team_id=TEAM, lead_case_worker_id=WORKER)
            await care.assign_case(handler, first, assigned, OFFICER)
            await care.assign_case(handler, second, assigned, OFFICER)
            moved = AssignmentBody(team_id=OTHER_TEAM, lead_case_worker_id=OTHER_WORKER)
            await care.assign_case(handler, second, moved, OFFICER)  # reassigned
            found = {"intake": intake}
            for service in ("psychosocial", "medical", "empowerment"):
                found[service] = await world.follower(service, {"intake": intake})
            sources = {"intake": intake, "psychosocial": found["psychosocial"]}
            found["reporting"] = await world.follower("reporting", sources)
            yield found


async def _survivors(pool: asyncpg.Pool, status: str | None = None) -> list[uuid.UUID]:
    """Intake's survivors (with a status: those in it), open ones first, by case number."""
    rows = await pool.fetch(
        "SELECT survivor_id FROM survivors WHERE $1::text IS NULL OR status = $1 "
        "ORDER BY status = 'open' DESC, case_number",
        status,
    )
    return [r["survivor_id"] for r in rows]


async def _answer(app: FastAPI, service: str, survivor_id: uuid.UUID) -> SurvivorCaseload | None:
    make = declared(service).caseload
    assert make is not None, f"{service} declares no caseload"
    found = await make(running(app).parts).teams_and_workers(survivor_id)
    return None if found is None else SurvivorCaseload.of(*found)


@pytest.mark.parametrize("service", IMPLEMENTATIONS)
async def test_the_caseload_is_the_one_intake_assigned(
    apps: dict[str, FastAPI], service: str
) -> None:
    survivors = await _survivors(running(apps["intake"]).parts.pool)
    assert len(survivors) >= 2
    for survivor_id in survivors:
        expected = await _answer(apps["intake"], "intake", survivor_id)
        assert expected is not None
        assert await _answer(apps[service], service, survivor_id) == expected, survivor_id
    reassigned = await _answer(apps[service], service, survivors[1])
    assert reassigned == SurvivorCaseload.of({str(OTHER_TEAM)}, {str(OTHER_WORKER)})


@pytest.mark.parametrize("service", IMPLEMENTATIONS)
async def test_a_survivor_never_heard_of_has_no_caseload(
    apps: dict[str, FastAPI], service: str
) -> None:
    assert await _answer(apps[service], service, uuid.uuid4()) is None
