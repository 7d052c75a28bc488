"""Command handlers: the survivor gate, sealing, deciding and recording (docs/empowerment.md)."""

from .base import EAT, Empowerment, Tx, intake_facts, survivor_tx, today

__all__ = ["EAT", "Empowerment", "Tx", "intake_facts", "survivor_tx", "today"]
