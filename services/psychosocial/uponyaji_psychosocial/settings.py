"""Psychosocial's settings from the environment (prefix `PSYCHOSOCIAL_`), read at app creation."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from uponyaji_service import ServiceSettings, service_config

from .instruments import PCL5_CUTOFF_DEFAULT

SERVICE = "psychosocial"


class Settings(ServiceSettings):
    """The common service fields, intake's URL and the PCL-5 cut-off."""

    model_config = service_config(SERVICE)

    port: int = Field(8004, ge=1, le=65535)
    kek_file: Path = Field(description="Secret file holding the key-encryption key (base64)")
    intake_url: str | None = Field(
        None, description="Intake's base URL (its event feed); default from UPONYAJI_SERVICE_URLS"
    )
    pcl5_cutoff: int = Field(
        PCL5_CUTOFF_DEFAULT, ge=31, le=33, description="PCL-5 probable-PTSD cut-off (31–33)"
    )
