"""Medical's settings from the environment (prefix `MEDICAL_`), read at app creation."""

from __future__ import annotations

from pydantic import Field
from uponyaji_service import StageSettings, service_config

SERVICE = "medical"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class Settings(StageSettings):
    """A stage's settings (intake's address, the key file), medical's port, upload and step-up
    limits."""

    model_config = service_config(SERVICE)

    port: int = Field(8003, ge=1, le=65535)
    max_upload_bytes: int = Field(
        MAX_UPLOAD_BYTES, ge=1, le=MAX_UPLOAD_BYTES, description="Largest evidence file accepted"
    )
    step_up_seconds: int = Field(
        300, ge=30, le=900, description="How fresh a TOTP step-up must be to release a signing key"
    )
