"""Intake's settings from the environment (prefix `INTAKE_`), read when the app is created."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode
from uponyaji_events.contracts.vocabularies import ServiceName
from uponyaji_service import ServiceSettings, service_config

SERVICE = "intake"
# Services that may hold per-survivor data keys and so confirm an erasure (the contract's
# example names them); identity knows no survivors.
KEY_HOLDERS = tuple(name.value for name in ServiceName if name is not ServiceName.IDENTITY)


class Settings(ServiceSettings):
    """The common service fields, how intake numbers cases, and who confirms an erasure."""

    model_config = service_config(SERVICE)

    kek_file: Path = Field(description="Secret file holding the key-encryption key (base64)")
    port: int = Field(8002, ge=1, le=65535)
    case_number_prefix: str = Field("UPJ", pattern=r"^[A-Z]{2,8}$")
    # Comma-separated; empty means: intake plus every key-holding service the launcher started.
    erasure_participants: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Closed-case retention (retention.py): erase a case closed this long ago (about 7 years).
    closed_case_retention_days: int = Field(2557, ge=30, le=36500)
    retention_check_hours: float = Field(24.0, gt=0, le=24 * 31)

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

    def participants(self) -> list[str]:
        """The services that must confirm an erasure (always intake itself)."""
        if self.erasure_participants:
            return sorted({SERVICE, *self.erasure_participants})
        present = set(self.service_urls)
        return sorted({SERVICE} | {name for name in KEY_HOLDERS if name in present})
