"""Reporting's settings from the environment (prefix `REPORTING_`), read at app creation."""

from __future__ import annotations

from pydantic import Field
from uponyaji_service import ServiceSettings, service_config

SERVICE = "reporting"
SOURCES = ("intake", "psychosocial")


class Settings(ServiceSettings):
    """The common service fields and where the source services are.

    `REPORTING_FEED_TOKEN` (an operator's token with feed.read) reads the sources' feeds when
    reporting has no client secret of its own.
    """

    model_config = service_config(SERVICE)

    port: int = Field(8006, ge=1, le=65535)
    intake_url: str | None = Field(None, description="Intake's base URL (its event feed)")
    psychosocial_url: str | None = Field(None, description="Psychosocial's base URL (its feed)")
