"""Secrets mounted as files, folded into the environment a service reads.

Services already read their key-encryption key, NATS credentials and client secret from files
named by `<NAME>_*_FILE` variables. The one secret that lives inside a URL, the database password,
is mounted as a file too: `<NAME>_DATABASE_PASSWORD_FILE` is read at start and put into
`<NAME>_DATABASE_URL`, so the password is never in a manifest or in `docker inspect`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit


class SecretFileError(ValueError):
    """A secret file is missing, empty, or its URL cannot take a password."""


def read_secret(path: Path) -> str:
    """The secret in a file, without a trailing newline; refuses a missing or empty file."""
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise SecretFileError(f"secret file {path}: {exc.strerror or exc}") from exc
    if not value:
        raise SecretFileError(f"secret file {path} is empty")
    return value


def with_password(url: str, password: str) -> str:
    """The URL with its password replaced (the user must be in the URL already)."""
    parts = urlsplit(url)
    if not parts.username:
        raise SecretFileError("the database URL names no user to give the password to")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(parts.username, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def database_env(service: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The `<NAME>_DATABASE_URL` to set when `<NAME>_DATABASE_PASSWORD_FILE` is given, else {}."""
    prefix = service.upper()
    password_file = environ.get(f"{prefix}_DATABASE_PASSWORD_FILE", "").strip()
    if not password_file:
        return {}
    url = environ.get(f"{prefix}_DATABASE_URL", "").strip()
    if not url:
        raise SecretFileError(
            f"{prefix}_DATABASE_PASSWORD_FILE is set without {prefix}_DATABASE_URL"
        )
    return {f"{prefix}_DATABASE_URL": with_password(url, read_secret(Path(password_file)))}


def missing_files(service: str, environ: Mapping[str, str]) -> list[str]:
    """`<NAME>_*_FILE` variables naming files that do not exist (caught before the app starts)."""
    prefix = f"{service.upper()}_"
    return sorted(
        f"{name}={value}"
        for name, value in environ.items()
        if name.startswith(prefix)
        and name.endswith("_FILE")
        and value.strip()
        and not Path(value.strip()).exists()
    )
