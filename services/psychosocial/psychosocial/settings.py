"""Psychosocial's settings from the environment (prefix `PSYCHOSOCIAL_`), read at app creation."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .instruments import PCL5_CUTOFF_DEFAULT

SERVICE = "psychosocial"
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})


class Settings(BaseSettings):
    """Where psychosocial's database, NATS, key file and intake are; the PCL-5 cut-off."""

    model_config = SettingsConfigDict(env_prefix="PSYCHOSOCIAL_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of psychosocial's own database")
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
    kek_file: Path = Field(description="Secret file holding the key-encryption key (base64)")
    port: int = Field(8004, ge=1, le=65535)
    intake_url: str | None = Field(
        None, description="Intake's base URL (its event feed); default from UPONYAJI_SERVICE_URLS"
    )
    pcl5_cutoff: int = Field(
        PCL5_CUTOFF_DEFAULT, ge=31, le=33, description="PCL-5 probable-PTSD cut-off (31–33)"
    )
    follow_intake: bool = Field(
        True, description="Run the intake consumer in the background (tests drive it by hand)"
    )
    # The launcher's map of the services it started: name -> base URL.
    service_urls: dict[str, str] = Field(
        default_factory=dict, validation_alias="UPONYAJI_SERVICE_URLS"
    )
    environment: str = Field("production", validation_alias="UPONYAJI_ENV")

    @property
    def development(self) -> bool:
        """Development or test: the KEK file may be created, demo data may be seeded."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    def intake_base_url(self) -> str | None:
        """Intake's base URL for its feed: PSYCHOSOCIAL_INTAKE_URL, else the launcher's map."""
        return self.intake_url or self.service_urls.get("intake")
