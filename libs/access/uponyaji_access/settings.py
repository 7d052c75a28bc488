"""Access settings from the environment, with the service's own prefix (e.g. `INTAKE_`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_IDENTITY_URL = "http://127.0.0.1:8001"
KEY_FILE_ENVIRONMENTS = frozenset({"test", "development"})


def _identity_from_launcher() -> str:
    """Identity's URL from the launcher's UPONYAJI_SERVICE_URLS map, else the default port."""
    try:
        urls = json.loads(os.environ.get("UPONYAJI_SERVICE_URLS", "{}"))
    except ValueError:
        urls = {}
    url = urls.get("identity") if isinstance(urls, dict) else None
    return url if isinstance(url, str) and url else DEFAULT_IDENTITY_URL


DEFAULT_FAIL_CLOSED_AFTER = 60.0  # seconds without a revocation refresh before failing closed


class AccessSettings(BaseSettings):
    """How a service reaches identity and how strictly it checks tokens.

    `<NAME>_IDENTITY_URL`: identity's base URL (JWKS and revocations), default from the launcher's
    `UPONYAJI_SERVICE_URLS` or http://127.0.0.1:8001. `<NAME>_JWKS_FILE`: a JWKS file of extra
    trusted keys, honoured only when `UPONYAJI_ENV` is `test` or `development`.
    `<NAME>_SERVICE_CLIENT_SECRET_FILE`: this service's client secret for service tokens.
    `<NAME>_SEARCH_LIMIT` searches per staff member in `<NAME>_SEARCH_WINDOW` seconds.
    """

    model_config = SettingsConfigDict(extra="ignore")

    identity_url: str = Field(default_factory=_identity_from_launcher)
    jwks_file: Path | None = None
    service_client_secret_file: Path | None = None
    token_leeway: float = Field(10.0, ge=0, le=60)
    revocation_interval: float = Field(1.0, gt=0, le=60)
    revocation_max_staleness: float = Field(5.0, gt=0, le=900)
    # Past this many seconds without a successful refresh, survivor-data requests are refused
    # (503) rather than trusting a deny list that may miss a revoked session. Unset, it is 60 s;
    # with a test key file (test and development only, where tests run services without an
    # identity to sync from) it is off unless set.
    revocation_fail_closed_after: float | None = Field(None, gt=0, le=900)
    jwks_max_age: float = Field(300.0, gt=0)
    jwks_refetch_interval: float = Field(1.0, ge=0, le=300)
    http_timeout: float = Field(2.0, gt=0, le=30)
    # Searches per staff member in a sliding window (429 with Retry-After beyond it).
    search_limit: int = Field(30, ge=1, le=10_000)
    search_window: float = Field(60.0, gt=0, le=86_400)
    environment: str = Field("production", validation_alias="UPONYAJI_ENV")

    @model_validator(mode="after")
    def _key_file_only_outside_production(self) -> AccessSettings:
        if self.jwks_file is not None and self.environment not in KEY_FILE_ENVIRONMENTS:
            raise ValueError("a JWKS file is trusted only when UPONYAJI_ENV is test or development")
        if self.revocation_fail_closed_after is None and self.jwks_file is None:
            self.revocation_fail_closed_after = DEFAULT_FAIL_CLOSED_AFTER
        return self

    @classmethod
    def for_service(cls, service: str) -> AccessSettings:
        """Read the settings of one service from `<SERVICE>_*` environment variables."""
        return cls(_env_prefix=f"{service.upper()}_")
