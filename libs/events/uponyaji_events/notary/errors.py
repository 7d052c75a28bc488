"""What the notary raises: nothing to prove yet, a store that lost what heads cover, a gap."""

from __future__ import annotations


class NotNotarised(LookupError):
    """The event is unknown, or newer than the latest signed tree head."""


class StoreBroken(RuntimeError):
    """The store no longer holds what its tree heads cover: no proof can be made."""


class Tampered(Exception):
    """The store's positions have a gap: events were removed."""
