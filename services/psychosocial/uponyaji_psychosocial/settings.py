"""Psychosocial's settings from the environment (prefix `PSYCHOSOCIAL_`), read at app creation."""

from __future__ import annotations

from pydantic import Field
from uponyaji_service import MailSettings, StageSettings, service_config

from .instruments import PCL5_CUTOFF_DEFAULT

SERVICE = "psychosocial"


class Settings(StageSettings, MailSettings):
    """A stage's settings and the e-mail fields, escalation times and the PCL-5 cut-off."""

    model_config = service_config(SERVICE)

    port: int = Field(8004, ge=1, le=65535)
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
