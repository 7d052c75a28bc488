"""Consent per scope: the current state is a fold of grants and withdrawals, in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from uponyaji_events.contracts.vocabularies import ConsentScope


class ConsentStatus(StrEnum):
    """Where one scope's consent stands."""

    NEVER_ASKED = "never_asked"
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """One grant (granted=True) or withdrawal of one scope, at a time."""

    scope: ConsentScope
    granted: bool
    at: datetime | None = None


ConsentMap = Mapping[ConsentScope, ConsentStatus]


class ConsentRuleBroken(ValueError):
    """A grant of a scope already granted, or a withdrawal of one not granted."""


def status_of(consents: ConsentMap, scope: ConsentScope) -> ConsentStatus:
    """The current status of a scope (never asked when absent)."""
    return consents.get(scope, ConsentStatus.NEVER_ASKED)


def is_granted(consents: ConsentMap, scope: ConsentScope) -> bool:
    """Whether the scope is currently granted."""
    return status_of(consents, scope) is ConsentStatus.GRANTED


def check(consents: ConsentMap, change: ConsentChange) -> None:
    """Raise ConsentRuleBroken unless the change is allowed from the current state."""
    current = status_of(consents, change.scope)
    if change.granted and current is ConsentStatus.GRANTED:
        raise ConsentRuleBroken(f"consent for {change.scope.value} is already granted")
    if not change.granted and current is not ConsentStatus.GRANTED:
        raise ConsentRuleBroken(
            f"consent for {change.scope.value} cannot be withdrawn: it is {current.value}"
        )


def apply(consents: ConsentMap, change: ConsentChange) -> dict[ConsentScope, ConsentStatus]:
    """The consent map after one change (assumes `check` passed)."""
    updated = dict(consents)
    updated[change.scope] = ConsentStatus.GRANTED if change.granted else ConsentStatus.WITHDRAWN
    return updated


def fold(changes: Iterable[ConsentChange]) -> dict[ConsentScope, ConsentStatus]:
    """The current consent per scope after a sequence of accepted changes."""
    state: dict[ConsentScope, ConsentStatus] = {}
    for change in changes:
        state = apply(state, change)
    return state


def granted_scopes(consents: ConsentMap) -> list[ConsentScope]:
    """The scopes currently granted, in vocabulary order."""
    return [scope for scope in ConsentScope if is_granted(consents, scope)]
