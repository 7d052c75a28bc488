"""Secrets mounted as files: the service's variables name them; the entry point checks they exist.

Services read every secret from a file named by a variable: `<NAME>_KEK_FILE` (key-encryption
key), `<NAME>_NATS_CREDENTIALS_FILE` (NATS user), `<NAME>_SERVICE_CLIENT_SECRET_FILE`,
`<NAME>_SIGNING_KEY_DIR`, and `PGPASSFILE` (the passwords of the service's database roles, which
never appear in a URL). In production a file that is not mounted stops the start, naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

SHARED = ("PGPASSFILE",)


def secret_variables(service: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of `service` that name a secret file or directory, with their values."""
    prefix = f"{service.upper()}_"
    return {
        name: value.strip()
        for name, value in environ.items()
        if value.strip()
        and (name in SHARED or (name.startswith(prefix) and name.endswith(("_FILE", "_DIR"))))
    }


def missing_files(service: str, environ: Mapping[str, str]) -> list[str]:
    """`NAME=path` for each secret variable whose path does not exist."""
    return sorted(
        f"{name}={value}"
        for name, value in secret_variables(service, environ).items()
        if not Path(value).exists()
    )
