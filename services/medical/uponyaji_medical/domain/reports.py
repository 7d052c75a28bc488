"""The report stream: signed once, then only addenda (a signed report is immutable)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from uponyaji_events.folding import EventLike

from ..errors import NotSigned, ReportSigned


@dataclass(frozen=True, slots=True)
class ReportState:
    """Whether the report is signed, and how many addenda it has."""

    version: int = 0
    signed: bool = False
    addenda: int = 0


def fold_report(events: Iterable[EventLike]) -> ReportState:
    """The report's state from its stream."""
    state = ReportState()
    for event in events:
        name = event.type.rsplit(".", 1)[-1]
        state = ReportState(
            version=state.version + 1,
            signed=state.signed or name == "ReportSigned",
            addenda=state.addenda + (name == "AddendumSigned"),
        )
    return state


def may_sign(state: ReportState) -> None:
    """Refuse signing a report twice (409): a signed report is immutable."""
    if state.signed:
        raise ReportSigned("the report is signed and immutable: add a signed addendum instead")


def may_add(state: ReportState) -> None:
    """Refuse an addendum to a report that is not signed (409)."""
    if not state.signed:
        raise NotSigned("the report is not signed yet: correct the record and sign it instead")
