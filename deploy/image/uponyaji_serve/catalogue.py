"""Which services the image knows, their default ports, and where each one's app factory lives.

A service `<name>` is importable as `uponyaji_<name>` (the packaging the services are moving to)
or, during the transition, as plain `<name>`; both expose `app:create_app`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The default ports are the local stack's (docs/running.md); containers may keep them.
SERVICES: dict[str, int] = {
    "portal": 8000,
    "identity": 8001,
    "intake": 8002,
    "medical": 8003,
    "psychosocial": 8004,
    "empowerment": 8005,
    "reporting": 8006,
}

# What a health check GETs: every service with a database answers /ready (503 until its
# database, NATS and consumers are up); the portal owns nothing to wait for and answers /health.
READY_PATHS: dict[str, str] = {"portal": "/health"}


def ready_path(service: str) -> str:
    """The path whose 200 means `service` can take requests."""
    return READY_PATHS.get(service, "/ready")


class UnknownService(LookupError):
    """The name is not a service of the catalogue, or its package is not installed."""


@dataclass(frozen=True)
class Resolved:
    """Where a service's FastAPI factory was found."""

    service: str
    package: str

    @property
    def factory_path(self) -> str:
        """The `module:attribute` uvicorn serves with `--factory`."""
        return f"{self.package}.app:create_app"


def candidates(service: str) -> tuple[str, str]:
    """The import packages tried for a service, preferred first."""
    return (f"uponyaji_{service}", service)


def _has_app(package: str) -> bool:
    try:
        return importlib.util.find_spec(f"{package}.app") is not None
    except (ImportError, ValueError):
        return False


def resolve(service: str) -> Resolved:
    """Find the installed package of `service` (without importing its app)."""
    if service not in SERVICES:
        raise UnknownService(f"{service!r} is not a service (known: {', '.join(SERVICES)})")
    for package in candidates(service):
        if _has_app(package):
            return Resolved(service, package)
    tried = " or ".join(f"{name}.app" for name in candidates(service))
    raise UnknownService(f"service {service} is not installed in this image (no {tried})")


def load_factory(resolved: Resolved) -> Callable[[], Any]:
    """Import the service's app module and return its `create_app` (imports, never calls it)."""
    module = importlib.import_module(f"{resolved.package}.app")
    factory = getattr(module, "create_app", None)
    if not callable(factory):
        raise UnknownService(f"{resolved.package}.app has no create_app()")
    return factory  # type: ignore[no-any-return]


def installed() -> list[Resolved]:
    """Every catalogue service whose package is installed."""
    found: list[Resolved] = []
    for service in SERVICES:
        try:
            found.append(resolve(service))
        except UnknownService:
            continue
    return found
