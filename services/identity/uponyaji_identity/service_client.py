"""`python -m uponyaji_identity.service_client <service> <secret file>`: provision a service client.

Writes a new random secret (256 bits, base64url) to the secret file (mode 0600; an existing
file is never overwritten) and prints the line to add to `IDENTITY_SERVICE_CLIENTS_FILE`
(`<service>:<argon2id hash>`). Give the secret file to the service as
`<SERVICE>_SERVICE_CLIENT_SECRET_FILE`; identity only ever holds the hash. Any environment.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from argon2 import PasswordHasher

from .service_clients import client_line

SECRET_BYTES = 32


def new_client_secret(path: Path) -> str:
    """Write a fresh random secret to `path` (0600, never overwriting) and return it."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(secret)
    return secret


def main(argv: list[str]) -> int:
    """Provision the client named in argv; print its clients-file line."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    name, path = argv[0], Path(argv[1])
    try:
        client_line(name, "$argon2")  # refuse a bad name before writing anything
        secret = new_client_secret(path)
    except (ValueError, OSError) as exc:
        print(f"cannot provision {name!r}: {exc}", file=sys.stderr)
        return 1
    print(client_line(name, PasswordHasher().hash(secret)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
