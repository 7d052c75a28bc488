"""Event contracts: the payload schema of every published event, one module per service.

`default_registry()` builds a registry of every contract; `uponyaji_events.asyncapi` exports it as
docs/asyncapi.json. How to add or change an event type: docs/contracts.md.
"""

from uponyaji_events.contracts import identity, intake, kernel, psychosocial
from uponyaji_events.contracts.registry import (
    Contract,
    ContractRegistry,
    InvalidPayload,
    sealed_paths,
)
from uponyaji_events.contracts.types import EventPayload, SealedValue


def default_registry() -> ContractRegistry:
    """A new registry holding every service's contracts."""
    registry = ContractRegistry()
    for module in (identity, intake, kernel, psychosocial):
        module.register(registry)
    return registry


__all__ = [
    "Contract",
    "ContractRegistry",
    "EventPayload",
    "InvalidPayload",
    "SealedValue",
    "default_registry",
    "sealed_paths",
]
