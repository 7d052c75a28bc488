"""What an authorised request may do: the decision, the survivor's caseload and field visibility."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from uponyaji_access.caseload import SurvivorCaseload
from uponyaji_access.policy import Decision, Policy, Scope
from uponyaji_access.principal import Principal


@dataclass(frozen=True, slots=True)
class Grant:
    """An allowed request: who, which action under which scope, about which survivor, and why."""

    principal: Principal
    action: str
    decision: Decision
    purpose: str
    survivor_id: UUID | None
    caseload: SurvivorCaseload | None
    policy: Policy

    @property
    def scope(self) -> Scope | None:
        """The scope the action was allowed under."""
        return self.decision.scope

    @property
    def role(self) -> str | None:
        """The role the action was allowed under (events' actor role)."""
        return self.decision.role

    @property
    def deidentified(self) -> bool:
        """True when only de-identified data may be returned (scope `aggregate`)."""
        return self.decision.scope == "aggregate"

    def sees(self, field_class: str) -> bool:
        """Whether this survivor's fields of a class (e.g. `counselling_notes`) may be returned."""
        if self.deidentified:
            return False
        return self.policy.field_visible(self.principal, field_class, self.caseload)

    def withhold(self, data: Mapping[str, Any], classes: Mapping[str, str]) -> dict[str, Any]:
        """A copy of `data` with each field of `classes` (name → class) nulled if not visible."""
        shown = dict(data)
        for name, field_class in classes.items():
            if name in shown and not self.sees(field_class):
                shown[name] = None
        return shown

    def caseload_filter(self) -> tuple[frozenset[str], str] | None:
        """For lists under scope `caseload`: (teams, staff id) results must match; None if any."""
        if self.decision.scope != "caseload":
            return None
        return self.principal.teams, str(self.principal.staff_id)
