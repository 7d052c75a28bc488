"""Psychosocial's settings from the environment (prefix `PSYCHOSOCIAL_`), read at app creation."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from uponyaji_service import MailSettings, service_config

from .instruments import PCL5_CUTOFF_DEFAULT

SERVICE = "psychosocial"


class Settings(MailSettings):
    """The common service and e-mail fields, intake's URL, escalation times, PCL-5 cut-off."""

    model_config = service_config(SERVICE)

    port: int = Field(8004, ge=1, le=65535)
    kek_file: Path = Field(description="Secret file holding the key-encryption key (base64)")
    intake_url: str | None = Field(
        None, description="Intake's base URL (its event feed); default from UPONYAJI_SERVICE_URLS"
    )
    escalate_after_hours: int = Field(
        24,
        ge=1,
        le=720,
        description="Hours without a safety response before a risk flag goes "
        "to the clinical supervisors of the survivor's team",
    )
    second_escalation_after_hours: int = Field(
        72, ge=2, le=2160, description="Hours before it goes on to the programme lead"
    )
    escalation_check_seconds: float = Field(
        60.0, gt=0, le=3600, description="How often open flags are checked for escalation"
    )
    pcl5_cutoff: int = Field(
        PCL5_CUTOFF_DEFAULT, ge=31, le=33, description="PCL-5 probable-PTSD cut-off (31–33)"
    )
