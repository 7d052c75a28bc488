"""Psychosocial's command side: its resources, and a command's transaction about a survivor.

The transaction is the participant services' one (`uponyaji_service.survivor_unit`): the
survivor's row locked, the consent gate checked (a safety response is never refused), their
stream folded, a sealer on the same connection; the decider is given the instrument table.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from uponyaji_events.db import Conn
from uponyaji_events.eat import EAT as EAT  # re-exported: the handlers' calendar
from uponyaji_events.eat import today as today
from uponyaji_events.envelope import Actor, Event
from uponyaji_events.states import StreamStates
from uponyaji_events.unit_of_work import CommandSide
from uponyaji_service import Clock, Keys, utc_now
from uponyaji_service.survivor_unit import Gate, SurvivorUnit, consent_facts, survivor_unit

from .. import domain, projections
from ..domain import IntakeFacts, SurvivorState
from ..errors import SurvivorUnknown
from ..instruments import Instruments

CONSENT_SCOPE = "psychosocial_support"
Tx = SurvivorUnit[IntakeFacts, SurvivorState]
GATE = Gate(CONSENT_SCOPE, IntakeFacts, domain.fold, SurvivorUnknown, versioned=True)
# The remembered states hold at most this many assessments, flags and goals together (about
# 240 bytes each, so some 8 MB), whatever the number of survivors and the length of their
# histories: a state keeps one entry per assessment the survivor ever had.
STATE_ENTRIES = 32_768


def state_entries(state: SurvivorState) -> int:
    """What a survivor's remembered state weighs: its assessments, flags and goals (at least 1)."""
    return 1 + len(state.assessments) + len(state.flags) + len(state.goals)


def remembered_states() -> StreamStates[SurvivorState]:
    """The bounded memory of folded survivor states (streams, and entries together)."""
    return StreamStates(weigh=state_entries, max_weight=STATE_ENTRIES)


@dataclass(frozen=True)
class Psychosocial(CommandSide[Keys], read_model=projections.READ_MODEL):
    """The command side's resources: the store, the keys, the instrument table and the clock."""

    table: Instruments
    clock: Clock = utc_now
    # Survivor states folded by earlier commands here: a command reads only the newer events.
    states: StreamStates[SurvivorState] = field(default_factory=remembered_states, compare=False)


async def intake_facts(conn: Conn, survivor_id: UUID, *, lock: bool = False) -> IntakeFacts:
    """What intake told us about a survivor (row-locked if asked); 404 if nothing."""
    return await consent_facts(
        conn, survivor_id, GATE.scope, GATE.facts, lock=lock, unknown=GATE.unknown
    )


def survivor_tx(
    ps: Psychosocial, survivor_id: UUID, *, safety: bool = False
) -> AbstractAsyncContextManager[Tx]:
    """A transaction holding the survivor's row lock, past the gate, with their state folded.

    The participant services' survivor unit itself, not a context manager around it: one
    generator less to enter and leave per command."""

    def decide(state: SurvivorState, command: Any) -> list[Any]:
        return domain.decide(state, command, ps.table)

    def admit(facts: IntakeFacts) -> None:
        domain.admissible(facts, safety=safety)

    return survivor_unit(ps, survivor_id, GATE, admit=admit, decider=decide)


async def run(tx: Tx, command: domain.SurvivorCommand, actor: Actor) -> list[Event]:
    """Decide a survivor-stream command in its transaction and record what it decided."""
    return await tx.run(command, actor)
