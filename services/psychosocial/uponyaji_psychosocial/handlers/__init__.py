"""Command handlers: the survivor gate, sealing, deciding and recording (docs/psychosocial.md)."""

from .base import EAT, Psychosocial, Tx, intake_facts, survivor_tx, today

__all__ = ["EAT", "Psychosocial", "Tx", "intake_facts", "survivor_tx", "today"]
