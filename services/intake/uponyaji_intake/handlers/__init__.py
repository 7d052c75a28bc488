"""Command handlers: load the stream, check the rules, seal, decide, append and project."""

from . import care, erasure, survivors
from .base import Intake, Tx, survivor_tx

__all__ = ["Intake", "Tx", "care", "erasure", "survivor_tx", "survivors"]
