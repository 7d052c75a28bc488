"""Empowerment's settings from the environment (prefix `EMPOWERMENT_`), read at app creation."""

from __future__ import annotations

from pydantic import Field
from uponyaji_service import StageSettings, service_config

SERVICE = "empowerment"


class Settings(StageSettings):
    """A stage's settings (intake's address, the key file) and empowerment's port."""

    model_config = service_config(SERVICE)

    port: int = Field(8005, ge=1, le=65535)
