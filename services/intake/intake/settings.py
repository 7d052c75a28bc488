"""Intake's settings from the environment (prefix `INTAKE_`), read when the app is created."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from uponyaji_events.contracts.vocabularies import ServiceName

SERVICE = "intake"
DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})
# Services that may hold per-survivor data keys and so confirm an erasure (ARCHITECTURE §1, and
# the contract's example); identity knows no survivors.
KEY_HOLDERS = tuple(name.value for name in ServiceName if name is not ServiceName.IDENTITY)


class Settings(BaseSettings):
    """Where intake's database, NATS, key file and peers are, and how it numbers cases."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    database_url: str = Field(description="PostgreSQL URL of intake's own database")
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
    port: int = Field(8002, ge=1, le=65535)
    case_number_prefix: str = Field("UPJ", pattern=r"^[A-Z]{2,8}$")
    # Comma-separated; empty means: intake plus every key-holding service the launcher started.
    erasure_participants: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The launcher's map of the services it started: name -> base URL.
    service_urls: dict[str, str] = Field(
        default_factory=dict, validation_alias="UPONYAJI_SERVICE_URLS"
    )
    environment: str = Field("production", validation_alias="UPONYAJI_ENV")

    @field_validator("erasure_participants", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("erasure_participants")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        known = {name.value for name in ServiceName}
        for name in value:
            if name not in known:
                raise ValueError(f"{name!r} is not a service ({', '.join(sorted(known))})")
        return sorted(set(value))

    @property
    def development(self) -> bool:
        """Development or test: the KEK file may be created, demo data may be seeded."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    def participants(self) -> list[str]:
        """The services that must confirm an erasure (always intake itself)."""
        if self.erasure_participants:
            return sorted({SERVICE, *self.erasure_participants})
        present = set(self.service_urls)
        return sorted({SERVICE} | {name for name in KEY_HOLDERS if name in present})

    def peer_url(self, service: str) -> str | None:
        """Base URL of another service (for its event feed), from the launcher's map."""
        return self.service_urls.get(service)
