"""Reporting's settings from the environment (prefix `REPORTING_`), read at app creation."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import Field
from uponyaji_service import IntakeFollower, service_config

SERVICE = "reporting"
SOURCES = ("intake", "psychosocial")  # always followed: a rebuild refuses without their feeds
OPTIONAL = ("medical", "empowerment")  # followed where deployed (a URL is known, or a feed given)


class Settings(IntakeFollower):
    """The common service fields and where the source services are.

    `REPORTING_FEED_TOKEN` (an operator's token with feed.read) reads the sources' feeds when
    reporting has no client secret of its own.
    """

    model_config = service_config(SERVICE)

    port: int = Field(8006, ge=1, le=65535)
    psychosocial_url: str | None = Field(None, description="Psychosocial's base URL (its feed)")
    medical_url: str | None = Field(None, description="Medical's base URL (its feed)")
    empowerment_url: str | None = Field(None, description="Empowerment's base URL (its feed)")
    rounding_base: int = Field(
        5, ge=3, le=10, description="Published counts are multiples of this (docs/disclosure.md)"
    )
    audit_retention_days: int = Field(
        2190, ge=90, le=36500, description="Days the audit review keeps a read (retention.py)"
    )

    def sources(self, given: Iterable[str] = ()) -> tuple[str, ...]:
        """The sources followed: intake and psychosocial, and each optional one deployed."""
        known = set(given)
        return (
            *SOURCES,
            *(s for s in OPTIONAL if s in known or self.service_url(s) is not None),
        )
