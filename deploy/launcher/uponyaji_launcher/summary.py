"""What is running and where: the table printed by `run`, `up` and `status`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Summary:
    """What is running and where: printed as the table, kept in .run/stack.json."""

    run_dir: str
    services: list[dict[str, str]] = field(default_factory=list)
    not_installed: list[str] = field(default_factory=list)
    postgres_url: str | None = None
    nats_url: str | None = None
    demo_logins: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """Rebuild a summary read from JSON."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)
