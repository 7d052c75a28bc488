"""Identity's settings from the environment (prefix `IDENTITY_`), read when the app is created."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from uponyaji_service import MailSettings, service_config

SERVICE = "identity"
# Defaults that only make sense on a developer's machine (the launcher's embedded stack).
DEV_DATABASE_URL = "postgresql://postgres@127.0.0.1:54320/identity"
DEV_KEK_FILE = Path(".run/secrets/identity.kek")
_DEV_DEFAULTS = ("database_url", "nats_url", "kek_file")


class Settings(MailSettings):
    """The common service fields (with development defaults), login and session limits, and
    the e-mail relay for breach reminders (the 72-hour duty to notify the Data Commissioner)."""

    model_config = service_config(SERVICE)

    database_url: str = Field(
        default=DEV_DATABASE_URL, description="PostgreSQL URL of identity's database"
    )
    kek_file: Path = Field(
        default=DEV_KEK_FILE,
        description="Secret file with the key-encryption key (base64 of 32 bytes)",
    )
    port: int = Field(default=8001, ge=1, le=65535)
    service_clients_file: Path | None = Field(
        default=None,
        description="File of service clients, one `<name>:<argon2 hash of its secret>` a line; "
        "unset: no service tokens are issued",
    )

    # Login throttling: 5 failures lock for 15 minutes; per-client rate limit.
    lockout_threshold: int = Field(default=5, ge=3, le=20)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    auth_rate_per_minute: int = Field(default=20, ge=1, le=100_000)
    # Refresh tokens: absolute lifetime from login and idle limit between refreshes.
    session_hours: int = Field(default=8, ge=1, le=24)
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Signing keys older than this are rotated automatically (the previous stays published).
    signing_key_max_age_days: int = Field(default=30, ge=1, le=365)
    # Seconds between maintenance rounds (revocation sync, key reload); 1 s keeps the deny list
    # of other identity processes close behind a logout.
    maintenance_interval: float = Field(default=1.0, gt=0, le=60)
    reminder_check_seconds: float = Field(
        60.0, gt=0, le=3600, description="How often due breach reminders are queued and sent"
    )

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Settings:
        if self.environment != "development":
            missing = sorted(set(_DEV_DEFAULTS) - self.model_fields_set)
            if missing:
                names = ", ".join(f"IDENTITY_{name.upper()}" for name in missing)
                raise ValueError(
                    f"{names} must be set explicitly when UPONYAJI_ENV is {self.environment} "
                    "(the built-in defaults are for development only)"
                )
        return self

    @property
    def may_create_kek(self) -> bool:
        """Whether a missing KEK file may be created (development and test only)."""
        return self.development
