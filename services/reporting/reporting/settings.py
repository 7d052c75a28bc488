"""Reporting's settings from the environment (prefix `REPORTING_`), read at app creation."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE = "reporting"
SOURCES = ("intake", "psychosocial")


class Settings(BaseSettings):
    """Where reporting's database, NATS and source services are."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of reporting's own database")
    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS (JetStream) URL")
    nats_credentials_file: Path | None = Field(
        default=None, description="NATS user and password (JSON, 0600); the launcher writes it"
    )
    signing_key_dir: Path | None = Field(
        default=None, description="Ed25519 event-signing keys (active.key, retired/*.pub)"
    )
    migration_database_url: str | None = Field(
        default=None, description="URL of the database's owner role, used only to migrate"
    )
    port: int = Field(8006, ge=1, le=65535)
    intake_url: str | None = Field(None, description="Intake's base URL (its event feed)")
    psychosocial_url: str | None = Field(None, description="Psychosocial's base URL (its feed)")
    feed_token: SecretStr | None = Field(
        None, description="An access token with feed.read for the sources' feeds (operators)"
    )
    follow: bool = Field(True, description="Run the consumers in the background (tests drive them)")
    service_urls: dict[str, str] = Field(
        default_factory=dict, validation_alias="UPONYAJI_SERVICE_URLS"
    )
    environment: str = Field("production", validation_alias="UPONYAJI_ENV")

    def source_url(self, source: str) -> str | None:
        """A source's base URL: REPORTING_<SOURCE>_URL, else the launcher's map."""
        given: str | None = getattr(self, f"{source}_url", None)
        return given or self.service_urls.get(source)
