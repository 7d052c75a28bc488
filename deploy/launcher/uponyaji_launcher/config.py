"""The launcher's settings, read once from the environment."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.services import RegistryError, ServiceSpec, parse_port, registry

PG_PORT_ENV = "UPONYAJI_PG_PORT"
NATS_PORT_ENV = "UPONYAJI_NATS_PORT"
START_TIMEOUT_ENV = "UPONYAJI_START_TIMEOUT"
SEED_ENV = "UPONYAJI_SEED"
WORKERS_ENV = "UPONYAJI_WORKERS"  # worker processes per service; <NAME>_WORKERS for one service
MAX_WORKERS = 64
DEFAULT_PG_PORT = 54320
DEFAULT_NATS_PORT = 4222


class ConfigError(ValueError):
    """The environment asks for something the launcher cannot do."""


@dataclass(frozen=True)
class StackConfig:
    """Everything the launcher needs to know before it starts anything."""

    paths: RunPaths
    postgres_port: int
    nats_port: int
    services: tuple[ServiceSpec, ...]
    environ: Mapping[str, str] = field(repr=False)
    python: str = sys.executable
    start_timeout: float = 120.0
    seed: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, seed: bool = True) -> StackConfig:
        """Build the configuration from environment variables (see docs/running.md)."""
        env = dict(environ)
        try:
            timeout_raw = env.get(START_TIMEOUT_ENV, "").strip() or "120"
            try:
                timeout = float(timeout_raw)
            except ValueError:
                raise ConfigError(f"{START_TIMEOUT_ENV}={timeout_raw!r} is not seconds") from None
            return cls(
                paths=RunPaths.from_env(env),
                postgres_port=parse_port(env, PG_PORT_ENV, DEFAULT_PG_PORT),
                nats_port=parse_port(env, NATS_PORT_ENV, DEFAULT_NATS_PORT),
                services=tuple(registry(env)),
                environ=env,
                start_timeout=timeout,
                seed=seed and env.get(SEED_ENV, "1").strip().lower() not in {"0", "no", "false"},
            )
        except RegistryError as error:
            raise ConfigError(str(error)) from error

    @property
    def environment(self) -> str:
        """`UPONYAJI_ENV` as given (default development); the services honour it too."""
        return self.environ.get("UPONYAJI_ENV", "").strip() or "development"

    @property
    def production(self) -> bool:
        """True with UPONYAJI_ENV=production: no keys created, no demo data seeded."""
        return self.environment == "production"

    def external_database_url(self, spec: ServiceSpec) -> str | None:
        """The service's own `<NAME>_DATABASE_URL`, when the user points it at a real server."""
        return self.environ.get(f"{spec.env_prefix}_DATABASE_URL", "").strip() or None

    def external_nats_url(self, spec: ServiceSpec) -> str | None:
        """`<NAME>_NATS_URL`, else `NATS_URL`, when the user points at a real NATS."""
        own = self.environ.get(f"{spec.env_prefix}_NATS_URL", "").strip()
        return own or self.environ.get("NATS_URL", "").strip() or None

    def workers(self, spec: ServiceSpec) -> int:
        """Worker processes for a service: `<NAME>_WORKERS`, else `UPONYAJI_WORKERS`, else 1."""
        for variable in (f"{spec.env_prefix}_WORKERS", WORKERS_ENV):
            raw = self.environ.get(variable, "").strip()
            if raw:
                if not raw.isdigit() or not 1 <= int(raw) <= MAX_WORKERS:
                    raise ConfigError(
                        f"{variable}={raw!r} is not a worker count (1..{MAX_WORKERS})"
                    )
                return int(raw)
        return 1
