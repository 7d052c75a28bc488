"""The notary's routes on every service: its tree heads, and inclusion proofs for export.

- `GET /notary/heads`: the notary's status and the latest signed tree heads, read from the
  heads file outside the database (`notary.read`; no survivor data);
- `GET /notary/proofs/consistency?first=&second=`: the consistency proof between two signed
  heads (`notary.read`);
- `GET /notary/proofs/events/{event_id}`: the inclusion proof of one event (`notary.proof`,
  audited);
- `GET /notary/proofs/survivors/{survivor_id}`: the proofs of every event of one survivor's
  record in this service (`notary.proof`, audited with the survivor; only on services that know
  survivors' caseloads).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from uponyaji_access import Grant, authorize
from uponyaji_events.notary import HeadsFileError, Notary, NotNotarised, StoreBroken

from uponyaji_service.errors import DomainError, InvalidCommand, NotFound, Unavailable

HeadsRead = Annotated[Grant, Depends(authorize("notary.read", survivor=None))]
ProofRead = Annotated[Grant, Depends(authorize("notary.proof", survivor=None))]
SurvivorProofRead = Annotated[Grant, Depends(authorize("notary.proof"))]


class NotaryOff(NotFound):
    """This service runs no notary (its heads file is not configured): nothing to prove, 404."""


class HeadsUnreadable(Unavailable):
    """The heads file has a line that is not a tree head: 503 until an operator looks."""


class StoreNoLongerMatches(DomainError):
    """The store lost events its signed tree heads cover: no proof can be made (409)."""


class HeadsOutOfOrder(InvalidCommand):
    """A consistency proof asked from a larger head to a smaller one (422)."""


class NotNotarisedYet(NotFound):
    """No such event, or it is newer than the latest signed tree head: 404."""


class NotaryHeads(BaseModel):
    """The notary's status and its latest tree heads, newest first."""

    service: str
    configured: bool
    heads_file: str | None
    status: dict[str, Any]
    heads_total: int
    heads: list[dict[str, Any]]


class ConsistencyProof(BaseModel):
    """Two signed heads and the proof that the first's tree is a prefix of the second's."""

    service: str
    first: dict[str, Any]
    second: dict[str, Any]
    proof: list[str]
    verified: bool


class InclusionProofs(BaseModel):
    """Inclusion proofs against one signed tree head, with what a verifier needs."""

    service: str
    tree_head: dict[str, Any]
    public_keys: dict[str, str]
    leaf_format: str
    proofs: list[dict[str, Any]]
    not_yet_notarised: int


def _found(request: Request) -> Notary | None:
    # The running service (see app.running; read here without importing the factory).
    found = getattr(getattr(request.app.state, "uponyaji", None), "notary", None)
    return found if isinstance(found, Notary) else None


def _notary(request: Request) -> Notary:
    found = _found(request)
    if found is None:
        raise NotaryOff("this service's notary is not configured (set <SERVICE>_NOTARY_HEADS_FILE)")
    return found


async def _proofs(notary: Notary, **which: UUID) -> InclusionProofs:
    try:
        return InclusionProofs(**await notary.proofs(**which))
    except NotNotarised as exc:
        raise NotNotarisedYet(str(exc)) from exc
    except StoreBroken as exc:
        raise StoreNoLongerMatches(str(exc)) from exc


def notary_router(*, survivors: bool) -> APIRouter:
    """The notary's routes; `survivors`: also the per-survivor proofs (needs a caseload)."""
    router = APIRouter(prefix="/notary", tags=["notary"])

    @router.get("/heads", response_model=NotaryHeads)
    async def read_heads(
        request: Request,
        _: HeadsRead,
        limit: Annotated[int, Query(ge=1, le=500, description="How many heads")] = 50,
    ) -> NotaryHeads:
        """The notary's status and the latest tree heads from the file outside the database."""
        notary = _found(request)
        if notary is None:
            parts = getattr(getattr(request.app.state, "uponyaji", None), "parts", None)
            return NotaryHeads(
                service=str(getattr(parts, "service", "")),
                configured=False,
                heads_file=None,
                status={},
                heads_total=0,
                heads=[],
            )
        try:
            heads = notary.heads.read(notary.service)
        except HeadsFileError as exc:
            raise HeadsUnreadable(str(exc)) from exc
        return NotaryHeads(
            service=notary.service,
            configured=True,
            heads_file=str(notary.heads.path),
            status=notary.status.as_json(),
            heads_total=len(heads),
            heads=[h.as_json() for h in reversed(heads[-limit:])],
        )

    @router.get("/proofs/consistency", response_model=ConsistencyProof)
    async def prove_consistency(
        request: Request,
        _: HeadsRead,
        first: Annotated[int, Query(ge=1, le=2**62, description="Size of the older head")],
        second: Annotated[
            int | None, Query(ge=1, le=2**62, description="Size of the newer head (latest)")
        ] = None,
    ) -> ConsistencyProof:
        """The consistency proof between two signed tree heads of this service."""
        try:
            return ConsistencyProof(**await _notary(request).consistency(first, second))
        except NotNotarised as exc:
            raise NotNotarisedYet(str(exc)) from exc
        except StoreBroken as exc:
            raise StoreNoLongerMatches(str(exc)) from exc
        except ValueError as exc:
            raise HeadsOutOfOrder(str(exc)) from exc

    @router.get("/proofs/events/{event_id}", response_model=InclusionProofs)
    async def prove_event(request: Request, event_id: UUID, _: ProofRead) -> InclusionProofs:
        """The inclusion proof of one event against the latest signed tree head."""
        return await _proofs(_notary(request), event_id=event_id)

    if survivors:

        @router.get("/proofs/survivors/{survivor_id}", response_model=InclusionProofs)
        async def prove_survivor(
            request: Request, survivor_id: UUID, _: SurvivorProofRead
        ) -> InclusionProofs:
            """Inclusion proofs of every notarised event of one survivor's record here."""
            return await _proofs(_notary(request), survivor_id=survivor_id)

    return router
