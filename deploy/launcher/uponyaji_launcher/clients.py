"""Service clients: a new random secret per service at every start, and identity's file of hashes.

Each service but identity gets `.run/secrets/<name>.client-secret` (0600), which it shows identity
to get service tokens for reading other services' feeds. identity gets only the argon2id hashes,
one `<name>:<hash>` a line, in `.run/secrets/identity.service-clients` (0600). Secrets are
replaced at every `run`/`up`: a copied secret file stops working with the next start.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from argon2 import PasswordHasher

from uponyaji_launcher.paths import RunPaths

SECRET_BYTES = 32
ISSUER = "identity"  # issues the tokens; needs no client of its own


def write_private(path: Path, text: str) -> None:
    """Replace a file atomically with text readable by the owner only (created 0600)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(tmp, path)


def provision_clients(paths: RunPaths, services: Iterable[str]) -> list[str]:
    """Give each service a fresh client secret and identity their hashes; the clients' names."""
    hasher = PasswordHasher()
    names = sorted({name for name in services if name != ISSUER})
    lines = ["# <service>:<argon2id hash of its client secret>; written by the launcher"]
    for name in names:
        secret = secrets.token_urlsafe(SECRET_BYTES)
        write_private(paths.client_secret_file(name), secret)
        lines.append(f"{name}:{hasher.hash(secret)}")
    write_private(paths.service_clients_file, "\n".join(lines) + "\n")
    return names


def client_env(paths: RunPaths, name: str) -> dict[str, str]:
    """The service's variable naming its secret file, or identity's naming the clients file."""
    if name == ISSUER:
        return {"IDENTITY_SERVICE_CLIENTS_FILE": str(paths.service_clients_file)}
    return {f"{name.upper()}_SERVICE_CLIENT_SECRET_FILE": str(paths.client_secret_file(name))}
