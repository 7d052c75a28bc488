"""Empowerment's command side: its resources, and a command's transaction about a survivor.

The transaction is the participant services' one (`uponyaji_service.survivor_unit`): the
survivor's row locked, the consent gate checked, their stream folded, a sealer on the same
connection. Here it also turns a payment reference used twice into a 409.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from uponyaji_events.db import Conn
from uponyaji_events.eat import EAT as EAT  # re-exported: the handlers' calendar
from uponyaji_events.eat import today as today
from uponyaji_events.states import StreamStates
from uponyaji_events.unit_of_work import CommandSide, UnitOfWork
from uponyaji_service import Clock, Keys, utc_now
from uponyaji_service.survivor_unit import Gate, SurvivorUnit, consent_facts, survivor_unit

from .. import domain, projections
from ..errors import ReferenceUsed, SurvivorUnknown
from ..references import References

CONSENT_SCOPE = "empowerment"
Tx = SurvivorUnit[domain.IntakeFacts, domain.SurvivorState]


@dataclass(frozen=True)
class Empowerment(CommandSide[Keys], read_model=projections.READ_MODEL):
    """The command side's resources: the store, the keys, the reference digest and the clock."""

    references: References
    clock: Clock = utc_now
    # Survivor states folded by earlier commands here: a command reads only the newer events.
    states: StreamStates[domain.SurvivorState] = field(default_factory=StreamStates, compare=False)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One command's transaction: appends are projected into the read tables in it.

        Two survivors' disbursements racing with one payment reference pass the check each under
        their own lock; the loser meets the unique index in the projection and gets a 409.
        """
        try:
            async with super().unit_of_work() as uow:
                yield uow
        except asyncpg.UniqueViolationError as clash:
            if clash.constraint_name == "disbursements_reference_digest_key":
                raise ReferenceUsed(
                    "reference: this payment reference is already on record"
                ) from None
            raise


def _facts(*, consent_since: object, **facts: Any) -> domain.IntakeFacts:
    return domain.IntakeFacts(**facts)  # empowerment's gate does not date work against consent


GATE = Gate(CONSENT_SCOPE, _facts, domain.fold, SurvivorUnknown)


async def intake_facts(conn: Conn, survivor_id: UUID, *, lock: bool = False) -> domain.IntakeFacts:
    """What intake told us about a survivor (row-locked if asked); 404 if nothing."""
    return await consent_facts(
        conn, survivor_id, GATE.scope, GATE.facts, lock=lock, unknown=GATE.unknown
    )


@asynccontextmanager
async def survivor_tx(em: Empowerment, survivor_id: UUID) -> AsyncIterator[Tx]:
    """A transaction holding the survivor's row lock, past the gate, with their state folded."""
    async with survivor_unit(
        em, survivor_id, GATE, admit=domain.admissible, decider=domain.decide
    ) as tx:
        yield tx
