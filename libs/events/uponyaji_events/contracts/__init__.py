"""Event contracts: the payload schema of every published event, one module per service.

`default_registry()` builds a registry of every contract and `default_upcasters()` one of every
upcaster from an older schema_version; `uponyaji_events.asyncapi` exports the contracts as
docs/asyncapi.json. How to add or change an event type: docs/contracts.md.
"""

from uponyaji_events.contracts import empowerment, identity, intake, kernel, medical, psychosocial
from uponyaji_events.contracts.registry import (
    Contract,
    ContractRegistry,
    InvalidPayload,
    sealed_paths,
)
from uponyaji_events.contracts.types import EventPayload, SealedValue
from uponyaji_events.upcasting import UpcasterRegistry


def default_registry() -> ContractRegistry:
    """A new registry holding every service's contracts."""
    registry = ContractRegistry()
    for module in (identity, intake, kernel, medical, psychosocial, empowerment):
        module.register(registry)
    return registry


def default_upcasters() -> UpcasterRegistry:
    """A new upcaster registry holding every published contract's steps between versions."""
    upcasters = UpcasterRegistry()
    kernel.register_upcasters(upcasters)
    identity.register_upcasters(upcasters)
    return upcasters


__all__ = [
    "Contract",
    "ContractRegistry",
    "EventPayload",
    "InvalidPayload",
    "SealedValue",
    "default_registry",
    "default_upcasters",
    "sealed_paths",
]
