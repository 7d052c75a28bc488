"""The kernel's error hierarchy; every service roots its own errors here."""

from __future__ import annotations


class UponyajiError(Exception):
    """Base of every error the platform raises on purpose."""

    status_code = 500


class ConcurrencyError(UponyajiError):
    """A stream was not at the version the writer expected (HTTP 409 at the edge)."""

    status_code = 409


class UnknownEventType(UponyajiError):
    """An event type has no registered contract."""

    status_code = 422
