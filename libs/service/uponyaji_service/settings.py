"""One settings base for every service: where its database, NATS, keys and peers are.

A service subclasses `ServiceSettings` with its own prefix and fields:

    class Settings(ServiceSettings):
        model_config = service_config("psychosocial")
        port: int = Field(8004, ge=1, le=65535)
        kek_file: Path = Field(description="Secret file holding the key-encryption key")

`UPONYAJI_ENV` (production, development, test) and `UPONYAJI_SERVICE_URLS` (the launcher's map
of service name to base URL) are shared by every service and read without the prefix.
A service that follows intake's events subclasses `IntakeFollower` (`<SERVICE>_INTAKE_URL`); a
rehabilitation stage (`uponyaji_service.stage`) subclasses `StageSettings`, which also requires
`<SERVICE>_KEK_FILE`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from uponyaji_notify.channels import SmtpChannel

Environment = Literal["production", "development", "test"]
DEVELOPMENT_ENVIRONMENTS: frozenset[str] = frozenset({"development", "test"})


def service_config(service: str) -> SettingsConfigDict:
    """The settings configuration of one service: environment prefix `<SERVICE>_`."""
    return SettingsConfigDict(
        env_prefix=f"{service.upper()}_", extra="ignore", populate_by_name=True
    )


def read_secret(path: Path) -> SecretStr:
    """A secret held in a file (one line; surrounding whitespace dropped), never logged."""
    return SecretStr(path.read_text("utf-8").strip())


class ServiceSettings(BaseSettings):
    """The fields every service has; subclasses add their own and set `model_config`."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = Field(description="PostgreSQL URL of the service's own database")
    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS (JetStream) URL")
    nats_credentials_file: Path | None = Field(
        None, description="NATS user and password (JSON, 0600; optional ca_file for TLS)"
    )
    signing_key_dir: Path | None = Field(
        None, description="Ed25519 event-signing keys (active.key, retired/*.pub)"
    )
    migration_database_url: str | None = Field(
        None, description="URL of the database's owner role, used only to migrate"
    )
    port: int = Field(8000, ge=1, le=65535, description="Port the service listens on")
    kek_file: Path | None = Field(
        None, description="Secret file holding the key-encryption key (base64); sealing services"
    )
    service_urls: dict[str, str] = Field(
        default_factory=dict,
        validation_alias="UPONYAJI_SERVICE_URLS",
        description="The launcher's map of the services it started: name -> base URL",
    )
    environment: Environment = Field("production", validation_alias="UPONYAJI_ENV")
    log_level: str = Field("INFO", description="Lowest level logged (DEBUG, INFO, WARNING, ...)")
    max_concurrent_requests: int = Field(
        64, ge=1, le=10_000, description="HTTP requests handled at once per worker process"
    )
    max_queued_requests: int = Field(
        64, ge=0, le=100_000, description="Requests waiting for a slot; beyond: 503 at once"
    )
    queue_wait: float = Field(
        0.5, ge=0, le=60, description="Seconds a request waits for a slot before 503"
    )
    feed_token: SecretStr | None = Field(
        None,
        description="An operator's access token with feed.read, to read other services' feeds "
        "when this service has no client secret of its own",
    )

    notary_heads_file: Path | None = Field(
        None,
        description="The notary's append-only file of signed tree heads, outside the database "
        "(ship it elsewhere); None: no notary runs (docs/notary.md)",
    )
    notary_interval: float = Field(
        60.0, gt=0, description="Seconds between the notary's tree heads (when the log grew)"
    )
    notary_verify_interval: float = Field(
        3600.0, gt=0, description="Seconds between the notary's verifications of the whole store"
    )

    @property
    def development(self) -> bool:
        """Development or test: the KEK file may be created, demo data may be seeded."""
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    def service_url(self, name: str) -> str | None:
        """Another service's base URL: the `<name>_url` field if set, else the launcher's map."""
        own = getattr(self, f"{name}_url", None)
        if isinstance(own, str) and own:
            return own
        return self.service_urls.get(name)


class IntakeFollower(ServiceSettings):
    """The service fields plus where intake is, for a service that follows intake's events."""

    intake_url: str | None = Field(
        None, description="Intake's base URL (its event feed); default from UPONYAJI_SERVICE_URLS"
    )


class StageSettings(IntakeFollower):
    """A rehabilitation stage's fields: it follows intake and seals survivor data (a KEK)."""

    kek_file: Path = Field(description="Secret file holding the key-encryption key (base64)")


class MailSettings(ServiceSettings):
    """The service fields plus an SMTP relay for e-mailed notifications (`<SERVICE>_SMTP_*`)."""

    smtp_host: str | None = Field(
        None, description="SMTP relay for e-mailed notifications (unset: none are e-mailed)"
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP relay port")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_sender: str = Field("uponyaji@localhost", description="From address of notifications")
    notify_addresses: dict[str, str] = Field(
        default_factory=dict,
        description="Mailbox per role (`data_protection_officer`) or per role and team "
        "(`clinical_supervisor:<team>`), for people the staff directory gives no address",
    )
    link_base: str = Field(
        "http://localhost:8000", description="The staff application's address, for links in e-mails"
    )

    def smtp_channel(self) -> SmtpChannel | None:
        """The e-mail channel, when an SMTP relay is configured."""
        if self.smtp_host is None:
            return None
        return SmtpChannel(
            self.smtp_host, self.smtp_port, self.smtp_sender, starttls=self.smtp_starttls
        )
