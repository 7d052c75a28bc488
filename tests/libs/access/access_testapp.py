"""A tiny service wired the way docs/access.md says: survivor routes, a fake caseload, audit.

All data is synthetic. `handled` counts handler runs, so tests can show a refused request never
reached its handler.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from uponyaji_access import (
    Access,
    CurrentPrincipal,
    Grant,
    StaticCaseload,
    authorize,
    install_access,
)
from uponyaji_events.errors import UponyajiError
from uponyaji_events.errors_http import install_error_handlers

IDENTITY_FIELDS = {"full_name": "identity", "phone": "identity"}


class FlagNotFound(UponyajiError):
    """No such risk flag."""

    status_code = 404


@dataclass
class World:
    """The test service's data: survivors, sessions, risk flags, and who is assigned where."""

    caseload: StaticCaseload = field(default_factory=StaticCaseload)
    survivors: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    flags: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    handled: Counter[str] = field(default_factory=Counter)

    def add_survivor(
        self, *, teams: tuple[str, ...] = (), workers: tuple[uuid.UUID, ...] = ()
    ) -> uuid.UUID:
        survivor_id = uuid.uuid4()
        n = len(self.survivors) + 1
        self.survivors[survivor_id] = {
            "case_number": f"UPJ-TEST-{n:06d}",
            "full_name": f"Test Survivor {n}",
            "phone": f"+254700{n:06d}",
            "notes": f"synthetic counselling note {n}",
            "injuries": f"synthetic medico-legal finding {n}",
        }
        self.caseload.assign(survivor_id, teams=set(teams), workers={str(w) for w in workers})
        return survivor_id

    def add_flag(self, survivor_id: uuid.UUID) -> uuid.UUID:
        flag_id = uuid.uuid4()
        self.flags[flag_id] = survivor_id
        return flag_id


async def flag_survivor(request: Request) -> uuid.UUID | None:
    """The survivor a risk flag belongs to (None: no such flag)."""
    world: World = request.app.state.world
    try:
        flag_id = uuid.UUID(request.path_params["flag_id"])
    except ValueError:
        return None
    return world.flags.get(flag_id)


SurvivorRead = Annotated[Grant, Depends(authorize("survivor.read"))]
SessionRead = Annotated[Grant, Depends(authorize("psychosocial.session.read"))]
SessionRecord = Annotated[Grant, Depends(authorize("psychosocial.session.record"))]
MedicalRead = Annotated[Grant, Depends(authorize("medical.read"))]
JourneyRead = Annotated[Grant, Depends(authorize("journey.read"))]
ErasureRequest = Annotated[Grant, Depends(authorize("erasure.request"))]
SurvivorSearch = Annotated[Grant, Depends(authorize("survivor.search", survivor=None))]
DashboardRead = Annotated[Grant, Depends(authorize("dashboard.read", survivor=None))]
AuditRead = Annotated[Grant, Depends(authorize("audit.read", survivor=None))]
AccountsManage = Annotated[Grant, Depends(authorize("accounts.manage", survivor=None))]
FlagResolve = Annotated[Grant, Depends(authorize("riskflag.resolve", survivor=flag_survivor))]


def create_app(access: Access, world: World) -> FastAPI:
    """The test service; `access` is attached as a real service does in its lifespan."""
    app = FastAPI(title="testsvc")
    install_error_handlers(app)
    install_access(app)
    app.state.world = world

    @app.get("/health")
    async def health() -> dict[str, str]:
        """Public: no token needed."""
        return {"status": "ok"}

    @app.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> dict[str, Any]:
        """Any authenticated caller."""
        world.handled["whoami"] += 1
        return {"staff_id": str(principal.staff_id), "roles": sorted(principal.roles)}

    @app.get("/survivors/{survivor_id}")
    async def read_survivor(survivor_id: uuid.UUID, grant: SurvivorRead) -> dict[str, Any]:
        """A survivor's record with identity fields per the field rules."""
        world.handled["survivor.read"] += 1
        record = world.survivors[survivor_id]
        shown = {"survivor_id": str(survivor_id), "case_number": record["case_number"]}
        shown.update({name: record[name] for name in IDENTITY_FIELDS})
        return grant.withhold(shown, IDENTITY_FIELDS)

    @app.get("/survivors/{survivor_id}/sessions")
    async def read_sessions(survivor_id: uuid.UUID, grant: SessionRead) -> list[dict[str, Any]]:
        """Sessions; notes only for counsellors on the caseload."""
        world.handled["psychosocial.session.read"] += 1
        notes = world.survivors[survivor_id]["notes"]
        return [{"approach": "NET", "notes": notes if grant.sees("counselling_notes") else None}]

    @app.post("/survivors/{survivor_id}/sessions", status_code=201)
    async def record_session(survivor_id: uuid.UUID, grant: SessionRecord) -> dict[str, str]:
        """Record a session (not an audited read)."""
        world.handled["psychosocial.session.record"] += 1
        return {"recorded_by": str(grant.principal.staff_id)}

    @app.get("/survivors/{survivor_id}/medical")
    async def read_medical(survivor_id: uuid.UUID, grant: MedicalRead) -> dict[str, Any]:
        """Medical record; medico-legal findings only for clinicians."""
        world.handled["medical.read"] += 1
        record = world.survivors[survivor_id]
        return grant.withhold({"injuries": record["injuries"]}, {"injuries": "medico_legal"})

    @app.get("/journeys/{survivor_id}")
    async def read_journey(survivor_id: uuid.UUID, grant: JourneyRead) -> dict[str, Any]:
        """A journey; de-identified (no case number) for aggregate scope."""
        world.handled["journey.read"] += 1
        record = world.survivors[survivor_id]
        case_number = None if grant.deidentified else record["case_number"]
        return {"case_number": case_number, "milestones": ["registered"]}

    @app.post("/survivors/{survivor_id}/erasure-requests", status_code=202)
    async def request_erasure(survivor_id: uuid.UUID, grant: ErasureRequest) -> dict[str, str]:
        """Record an erasure request."""
        world.handled["erasure.request"] += 1
        return {"status": "requested"}

    @app.get("/survivors")
    async def search(grant: SurvivorSearch, q: str = "") -> list[str]:
        """Case numbers of survivors the caller may find."""
        world.handled["survivor.search"] += 1
        allowed = grant.caseload_filter()
        found = []
        for survivor_id, record in world.survivors.items():
            assignment = await world.caseload.teams_and_workers(survivor_id)
            assert assignment is not None
            teams, workers = assignment
            if allowed is None or teams & allowed[0] or allowed[1] in workers:
                found.append(record["case_number"])
        return sorted(found)

    @app.get("/dashboard")
    async def dashboard(grant: DashboardRead) -> dict[str, int]:
        """Aggregates only."""
        world.handled["dashboard.read"] += 1
        return {"survivors": len(world.survivors)}

    @app.get("/audit")
    async def audit(grant: AuditRead) -> dict[str, str]:
        """Audit review (stand-in)."""
        world.handled["audit.read"] += 1
        return {"status": "ok"}

    @app.post("/accounts", status_code=201)
    async def create_account(grant: AccountsManage) -> dict[str, str]:
        """Account management (stand-in)."""
        world.handled["accounts.manage"] += 1
        return {"status": "created"}

    @app.post("/risk-flags/{flag_id}/resolution")
    async def resolve_flag(flag_id: uuid.UUID, grant: FlagResolve) -> dict[str, str]:
        """Resolve a risk flag; the survivor comes from the flag, not the path."""
        world.handled["riskflag.resolve"] += 1
        if flag_id not in world.flags:
            raise FlagNotFound("no such risk flag")
        return {"status": "resolved"}

    reports = APIRouter()

    @reports.get("/{survivor_id}/summary")
    async def summary(survivor_id: uuid.UUID, grant: JourneyRead) -> dict[str, Any]:
        """A route of an included router with a prefix (FastAPI includes routers lazily)."""
        world.handled["journey.read"] += 1
        return {"deidentified": grant.deidentified}

    app.include_router(reports, prefix="/reports")
    access.attach(app)
    return app
