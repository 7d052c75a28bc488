"""What the probes answer: the response models of `/live`, `/ready` and `/health`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Alive(BaseModel):
    """The process answers."""

    status: str


class Ready(BaseModel):
    """Whether the service can take commands (its database answers)."""

    ready: bool


class Health(BaseModel):
    """The service's status (`ok`, `degraded`, `down`, `starting`); details for operators only.

    Anonymous callers get `status` alone. Operators also get the database answer, dead letters,
    integrity alarms, the outbox relay, the NATS connection and each consumer's figures.
    """

    status: str
    service: str | None = None
    database: dict[str, Any] | None = None
    dead_letters: int | None = None
    integrity_alarms: int | None = None
    relay: dict[str, Any] | None = None
    nats: dict[str, Any] | None = None
    consumers: dict[str, dict[str, Any]] | None = None
