"""The access policy as data: role × action → scope, and role × field class → visibility.

Pure: no I/O beyond reading the policy file once at startup. `policy.toml` beside this module is
the one policy of the platform; its format is described at its top and in docs/access.md.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from uponyaji_access.caseload import SurvivorCaseload
from uponyaji_access.errors import InvalidPurpose, PolicyError
from uponyaji_access.principal import Principal

Scope = Literal["any", "caseload", "aggregate"]
FieldScope = Literal["any", "caseload", "worker"]
Outcome = Literal["allowed", "denied", "not_found"]

ACTION_SCOPES: tuple[str, ...] = ("any", "caseload", "aggregate", "deny")
FIELD_SCOPES: tuple[str, ...] = ("any", "caseload", "worker", "deny")
_RANK = {"any": 3, "caseload": 2, "aggregate": 1}
_DECISIONS_KEPT = 4096  # (action, role set, caseload case) decisions remembered
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_TOP_KEYS = {"version", "roles", "audit", "actions", "fields"}


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy says about one request: allowed or not, under which scope and role."""

    allowed: bool
    scope: Scope | None
    reason: str
    outcome: Outcome
    role: str | None = None

    @property
    def status_code(self) -> int:
        """The HTTP status a refused request gets (200 when allowed)."""
        return {"allowed": 200, "denied": 403, "not_found": 404}[self.outcome]


@dataclass(frozen=True, slots=True)
class ActionRule:
    """One action: its description, whether it is audited, and each role's scope (None: deny)."""

    name: str
    description: str
    audited: bool
    scopes: Mapping[str, Scope | None]


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One class of sensitive fields and each role's visibility (None: never visible)."""

    name: str
    description: str
    scopes: Mapping[str, FieldScope | None]


class Policy:
    """The loaded, validated policy; `decide` and `field_visible` are pure functions of it."""

    def __init__(
        self,
        *,
        roles: Mapping[str, str],
        actions: Mapping[str, ActionRule],
        fields: Mapping[str, FieldRule],
        purposes: tuple[str, ...],
        default_purpose: str,
        audit_denied: bool,
    ) -> None:
        self.roles = dict(roles)
        self.actions = dict(actions)
        self.fields = dict(fields)
        self.purposes = purposes
        self.default_purpose = default_purpose
        self.audit_denied = audit_denied
        self._order = {role: n for n, role in enumerate(self.roles)}
        # Decisions already made, by (action, roles, caseload case): `decide` is a pure function
        # of the policy, which does not change once loaded. Bounded: role sets come from signed
        # tokens, and past the bound decisions are simply made afresh.
        self._decided: dict[tuple[str, frozenset[str], bool | None], Decision] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Policy:
        """Load and validate a policy file (default: the platform's policy.toml)."""
        if path is None:
            text = resources.files("uponyaji_access").joinpath("policy.toml").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        return cls.from_toml(text)

    @classmethod
    def from_toml(cls, text: str) -> Policy:
        """Parse and validate policy text in the policy file's format."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"policy file is not valid TOML: {exc}") from exc
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Policy:
        """Validate a parsed policy; any unknown role, action key or scope raises PolicyError."""
        unknown = set(data) - _TOP_KEYS
        if unknown:
            raise PolicyError(f"unknown top-level keys in policy: {sorted(unknown)}")
        if data.get("version") != 1:
            raise PolicyError("policy version must be 1")
        roles = _roles(data.get("roles"))
        purposes, default_purpose, audit_denied = _audit(data.get("audit"))
        actions = {
            name: ActionRule(name, *_action(name, body, roles))
            for name, body in _table(data, "actions").items()
        }
        if not actions:
            raise PolicyError("policy defines no actions")
        fields = {
            name: FieldRule(name, *_field(name, body, roles))
            for name, body in _table(data, "fields").items()
        }
        return cls(
            roles=roles,
            actions=actions,
            fields=fields,
            purposes=purposes,
            default_purpose=default_purpose,
            audit_denied=audit_denied,
        )

    def rule(self, action: str) -> ActionRule:
        """The rule of an action; PolicyError if the policy does not define it."""
        try:
            return self.actions[action]
        except KeyError:
            raise PolicyError(f"action {action!r} is not defined in the policy") from None

    def scope(self, role: str, action: str) -> Scope | None:
        """The scope one role has for one action (None: denied; unknown roles: denied)."""
        return self.rule(action).scopes.get(role)

    def decide(
        self, principal: Principal, action: str, caseload: SurvivorCaseload | None = None
    ) -> Decision:
        """Decide an action for a principal, about one survivor (its caseload) or none (None)."""
        # Only whether the survivor is on the principal's caseload matters, not whose it is.
        key = (action, principal.roles, None if caseload is None else caseload.includes(principal))
        decided = self._decided.get(key)
        if decided is None:
            decided = self._decide(principal, action, caseload)
            if len(self._decided) < _DECISIONS_KEPT:
                self._decided[key] = decided
        return decided

    def _decide(
        self, principal: Principal, action: str, caseload: SurvivorCaseload | None
    ) -> Decision:
        rule = self.rule(action)
        grants = sorted(
            (
                (scope, role)
                for role in principal.roles
                if (scope := rule.scopes.get(role)) is not None
            ),
            key=lambda grant: (-_RANK[grant[0]], self._order.get(grant[1], 0)),
        )
        if not grants:
            return Decision(False, None, f"no role of the caller may {action}", "denied")
        if caseload is None:
            scope, role = grants[0]
            return Decision(True, scope, f"{role} may {action} ({scope})", "allowed", role)
        for scope, role in grants:
            if scope == "any" or scope == "aggregate":
                return Decision(True, scope, f"{role} may {action} ({scope})", "allowed", role)
            if caseload.includes(principal):
                return Decision(True, scope, f"{role} may {action} on caseload", "allowed", role)
        role = grants[0][1]
        return Decision(False, "caseload", f"survivor is not on {role}'s caseload", "not_found")

    def field_visible(
        self, principal: Principal, field_class: str, caseload: SurvivorCaseload | None
    ) -> bool:
        """Whether a class of fields of one survivor (its caseload) is visible to the principal."""
        try:
            rule = self.fields[field_class]
        except KeyError:
            raise PolicyError(f"field class {field_class!r} is not defined") from None
        for role in principal.roles:
            scope = rule.scopes.get(role)
            if scope == "any":
                return True
            if scope == "caseload" and caseload is not None and caseload.includes(principal):
                return True
            if scope == "worker" and caseload is not None and caseload.has_worker(principal):
                return True
        return False

    def visible_fields(
        self, principal: Principal, caseload: SurvivorCaseload | None
    ) -> frozenset[str]:
        """Every field class of one survivor (its caseload) the principal may see."""
        return frozenset(
            name for name in self.fields if self.field_visible(principal, name, caseload)
        )

    def purpose(self, declared: str | None) -> str:
        """The declared purpose of access (default when absent); InvalidPurpose if unknown."""
        if not declared:
            return self.default_purpose
        if declared not in self.purposes:
            raise InvalidPurpose(f"purpose must be one of {', '.join(self.purposes)}")
        return declared


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PolicyError(f"[{key}] must be a table")
    return value


def _roles(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise PolicyError("[roles] must name at least one role")
    for role, description in value.items():
        if not _NAME.match(role) or "." in role:
            raise PolicyError(f"role name {role!r} is not a lowercase identifier")
        if not isinstance(description, str):
            raise PolicyError(f"role {role!r} needs a description string")
    return dict(value)


def _audit(value: Any) -> tuple[tuple[str, ...], str, bool]:
    if not isinstance(value, dict):
        raise PolicyError("[audit] must be a table")
    unknown = set(value) - {"purposes", "default_purpose", "audit_denied"}
    if unknown:
        raise PolicyError(f"unknown keys in [audit]: {sorted(unknown)}")
    purposes = value.get("purposes")
    if (
        not isinstance(purposes, list)
        or not purposes
        or not all(isinstance(p, str) and _PURPOSE.match(p) for p in purposes)
    ):
        raise PolicyError("[audit] purposes must be a list of short lowercase words")
    default = value.get("default_purpose")
    if default not in purposes:
        raise PolicyError("[audit] default_purpose must be one of the purposes")
    audit_denied = value.get("audit_denied", True)
    if not isinstance(audit_denied, bool):
        raise PolicyError("[audit] audit_denied must be true or false")
    return tuple(purposes), cast(str, default), audit_denied


def _assignments(
    where: str, body: Mapping[str, Any], roles: Mapping[str, str], scopes: tuple[str, ...]
) -> dict[str, str | None]:
    assigned: dict[str, str | None] = {}
    for scope in scopes:
        listed = body.get(scope, [])
        if not isinstance(listed, list) or not all(isinstance(r, str) for r in listed):
            raise PolicyError(f"{where}: {scope} must be a list of role names")
        for role in listed:
            if role not in roles:
                raise PolicyError(f"{where}: unknown role {role!r}")
            if role in assigned:
                raise PolicyError(f"{where}: role {role!r} is listed more than once")
            assigned[role] = None if scope == "deny" else scope
    missing = [role for role in roles if role not in assigned]
    if missing:
        raise PolicyError(f"{where}: roles {missing} are in none of {list(scopes)}")
    return assigned


def _action(
    name: str, body: Any, roles: Mapping[str, str]
) -> tuple[str, bool, dict[str, Scope | None]]:
    where = f"action {name!r}"
    if not _NAME.match(name) or not isinstance(body, dict):
        raise PolicyError(f"{where}: needs a dotted lowercase name and a table")
    unknown = set(body) - {"description", "audited", *ACTION_SCOPES}
    if unknown:
        raise PolicyError(f"{where}: unknown keys or scopes {sorted(unknown)}")
    description, audited = body.get("description"), body.get("audited", False)
    if not isinstance(description, str) or not description:
        raise PolicyError(f"{where}: needs a description")
    if not isinstance(audited, bool):
        raise PolicyError(f"{where}: audited must be true or false")
    scopes = cast(dict[str, Scope | None], _assignments(where, body, roles, ACTION_SCOPES))
    return description, audited, scopes


def _field(
    name: str, body: Any, roles: Mapping[str, str]
) -> tuple[str, dict[str, FieldScope | None]]:
    where = f"field class {name!r}"
    if not _NAME.match(name) or "." in name or not isinstance(body, dict):
        raise PolicyError(f"{where}: needs a lowercase name and a table")
    unknown = set(body) - {"description", *FIELD_SCOPES}
    if unknown:
        raise PolicyError(f"{where}: unknown keys or scopes {sorted(unknown)}")
    description = body.get("description")
    if not isinstance(description, str) or not description:
        raise PolicyError(f"{where}: needs a description")
    scopes = cast(dict[str, FieldScope | None], _assignments(where, body, roles, FIELD_SCOPES))
    return description, scopes
