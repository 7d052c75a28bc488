"""Empowerment's settings from the environment (prefix `EMPOWERMENT_`), read at app creation."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from uponyaji_service import ServiceSettings, service_config

SERVICE = "empowerment"


class Settings(ServiceSettings):
    """The shared settings plus empowerment's port, key file and intake's address."""

    model_config = service_config(SERVICE)

    port: int = Field(8005, ge=1, le=65535)
    kek_file: Path = Field(description="Secret file holding the key-encryption key (base64)")
    intake_url: str | None = Field(
        None, description="Intake's base URL (its event feed); default from UPONYAJI_SERVICE_URLS"
    )
