"""Command handlers: the survivor gate, sealing, deciding and recording (docs/medical.md)."""

from .base import EAT, Medical, Tx, intake_facts, survivor_tx

__all__ = ["EAT", "Medical", "Tx", "intake_facts", "survivor_tx"]
