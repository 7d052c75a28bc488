"""The registry of Uponyaji services the launcher knows, and how to tell whether one is installed.

A service `<name>` is a python package `uponyaji_<name>` (or, not yet renamed, plain `<name>`)
exposing `<package>.app:create_app` (a FastAPI factory) and, optionally, a `<package>.seed`
module runnable with `python -m <package>.seed`.
Tests (and anyone trying a new service) add services with UPONYAJI_EXTRA_SERVICES="name:port,...".
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

EXTRA_SERVICES_ENV = "UPONYAJI_EXTRA_SERVICES"
ONLY_SERVICES_ENV = "UPONYAJI_SERVICES"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(ValueError):
    """The service registry configured in the environment is malformed."""


@dataclass(frozen=True)
class ServiceSpec:
    """One service: its package name and default port (docs/architecture.md)."""

    name: str
    default_port: int
    consumes: tuple[str, ...] = ()  # whose event streams it reads (its NATS permissions)

    @property
    def env_prefix(self) -> str:
        """Prefix of this service's environment variables, e.g. INTAKE."""
        return self.name.upper()

    def port(self, environ: Mapping[str, str]) -> int:
        """The port from `<NAME>_PORT`, else the default."""
        return parse_port(environ, f"{self.env_prefix}_PORT", self.default_port)

    @property
    def package(self) -> str:
        """The import package: `uponyaji_<name>` when installed, else the older plain `<name>`."""
        preferred = f"uponyaji_{self.name}"
        if _package_dir(preferred) is not None or _package_dir(self.name) is None:
            return preferred
        return self.name

    def package_dir(self) -> Path | None:
        """Directory of the installed package, or None when it is not importable."""
        return _package_dir(self.package)

    def installed(self) -> bool:
        """True when the service's package can be imported (it 'exists')."""
        return self.package_dir() is not None

    def has_module(self, module: str) -> bool:
        """True when the package ships `<package>.<module>` (checked without importing anything)."""
        package = self.package_dir()
        return package is not None and (
            (package / f"{module}.py").is_file() or (package / module / "__init__.py").is_file()
        )

    def has_app(self) -> bool:
        """True when the package has the `app` module uvicorn serves (`app:create_app`)."""
        return self.has_module("app")

    def has_seed(self) -> bool:
        """True when the package ships a `seed` module for demo data."""
        return self.has_module("seed")


def _package_dir(package: str) -> Path | None:
    """Directory of an installed regular package, or None."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    # A plain directory of that name (a namespace package, origin None) is not a service.
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return None
    return Path(spec.origin).parent


_STAGES = ("medical", "psychosocial", "empowerment")
KNOWN_SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("portal", 8000),  # the staff web pages (uponyaji_portal): listed first
    ServiceSpec("identity", 8001),
    # intake follows every erasure participant (their confirmations), reporting included
    ServiceSpec("intake", 8002, consumes=("identity", *_STAGES, "reporting")),
    ServiceSpec("medical", 8003, consumes=("identity", "intake")),
    ServiceSpec("psychosocial", 8004, consumes=("identity", "intake")),
    ServiceSpec("empowerment", 8005, consumes=("identity", "intake")),
    ServiceSpec("reporting", 8006, consumes=("identity", "intake", *_STAGES)),
)
# Services added by UPONYAJI_EXTRA_SERVICES (tests, new services) read these streams.
EXTRA_CONSUMES = ("identity", "intake")


def parse_port(environ: Mapping[str, str], variable: str, default: int) -> int:
    """Read a TCP port from the environment, refusing anything that is not 1..65535."""
    raw = environ.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise RegistryError(f"{variable}={raw!r} is not a TCP port (1..65535)")
    return int(raw)


def extra_services(environ: Mapping[str, str]) -> list[ServiceSpec]:
    """Services added by UPONYAJI_EXTRA_SERVICES, a comma-separated list of `name:port`."""
    specs: list[ServiceSpec] = []
    for item in environ.get(EXTRA_SERVICES_ENV, "").split(","):
        item = item.strip()
        if not item:
            continue
        name, _, port = item.partition(":")
        if not _NAME.match(name) or not port.isdigit() or not 0 < int(port) < 65536:
            raise RegistryError(
                f"{EXTRA_SERVICES_ENV}: {item!r} is not `name:port` (lower-case package name)"
            )
        specs.append(ServiceSpec(name, int(port), consumes=EXTRA_CONSUMES))
    return specs


def registry(environ: Mapping[str, str]) -> list[ServiceSpec]:
    """Every service the launcher considers, narrowed by UPONYAJI_SERVICES when it is set."""
    specs = [*KNOWN_SERVICES, *extra_services(environ)]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RegistryError(f"service listed twice: {', '.join(duplicates)}")
    only = {name.strip() for name in environ.get(ONLY_SERVICES_ENV, "").split(",") if name.strip()}
    unknown = only - set(names)
    if unknown:
        raise RegistryError(
            f"{ONLY_SERVICES_ENV} names unknown services: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(names)})"
        )
    return [spec for spec in specs if not only or spec.name in only]
