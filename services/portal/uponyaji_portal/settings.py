"""The portal's settings from the environment (prefix `PORTAL_`), on the platform's settings base.

The portal has no database, NATS or event store: the base's `database_url` and `nats_url` (which
the launcher passes to every service) are ignored.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from uponyaji_service import ServiceSettings, service_config

SERVICES = ("identity", "intake", "medical", "psychosocial", "empowerment", "reporting")
DEFAULT_PORTS = {
    "identity": 8001,
    "intake": 8002,
    "medical": 8003,
    "psychosocial": 8004,
    "empowerment": 8005,
    "reporting": 8006,
}


class Settings(ServiceSettings):
    """Where the services are, the cookie key, session limits and development conveniences."""

    model_config = service_config("portal")

    database_url: str = Field("", description="Not used: the portal owns no data")
    # kek_file (base): the key (base64 of 32 bytes) that encrypts the session cookie
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60, description="As identity's idle limit")
    session_hours: int = Field(8, ge=1, le=24, description="As identity's absolute limit")
    http_timeout: float = Field(15.0, gt=0, le=120)
    demo_logins_file: Path | None = Field(
        None, description="Development only: the launcher's demo-logins.json (codes on sign-in)"
    )
    secure_cookies: bool | None = Field(None, description="Default: on in production")

    @model_validator(mode="after")
    def _production_refuses_shortcuts(self) -> Settings:
        if self.environment == "production":
            if self.demo_logins_file is not None:
                raise ValueError("PORTAL_DEMO_LOGINS_FILE is for development only")
            if self.kek_file is None:
                raise ValueError("PORTAL_KEK_FILE is required in production")
            if self.secure_cookies is False:
                raise ValueError("PORTAL_SECURE_COOKIES=false is refused in production")
        return self

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies carry `Secure` (always in production)."""
        if self.secure_cookies is None:
            return self.environment == "production"
        return self.secure_cookies

    def url(self, service: str) -> str:
        """A service's base URL: PORTAL_<NAME>_URL, the launcher's map, else the local default."""
        import os

        given = os.environ.get(f"PORTAL_{service.upper()}_URL")
        if given:
            return given.rstrip("/")
        if service in self.service_urls:
            return self.service_urls[service].rstrip("/")
        return f"http://127.0.0.1:{DEFAULT_PORTS[service]}"
