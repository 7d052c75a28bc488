"""Production mode: a service refuses to start with any development shortcut, naming the setting.

With `UPONYAJI_ENV=production` a service will not start when:
- its NATS connection would be anonymous (no `<NAME>_NATS_CREDENTIALS_FILE`, or none there);
- identity is reached over plain `http://` (`<NAME>_IDENTITY_URL`, or the launcher's map);
- a JWKS file would be trusted besides identity's (`<NAME>_JWKS_FILE`);
- its KEK file is missing (`<NAME>_KEK_FILE`; keys are never created in production) or its
  event-signing key is (`<NAME>_SIGNING_KEY_DIR`);
- the audit key is missing or short (`UPONYAJI_AUDIT_KEY_FILE`, at least 32 bytes; it keys the
  hashes of search texts and usernames in audit records, the same file for every service);
- no notary would run (`<NAME>_NOTARY_HEADS_FILE` unset, or its directory missing): the notary's
  signed tree heads are the tamper evidence of the event store;
- its database accepts a wrong password (trust authentication) or it connects as a superuser
  (`<NAME>_DATABASE_URL`), checked against the live server at start.
Demo seeding refuses itself outside development, and the launcher does not seed in production.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import asyncpg
from uponyaji_access.keyed_hash import KEY_FILE_ENV, MIN_KEY_BYTES, AuditKey, AuditKeyError

from uponyaji_service.settings import ServiceSettings


class ProductionRefused(RuntimeError):
    """A production service found development shortcuts in its settings; it does not start."""

    def __init__(self, service: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{service} refuses to start with UPONYAJI_ENV=production:\n{listed}")


def _identity_url(service: str, environ: Mapping[str, str]) -> str | None:
    own = environ.get(f"{service.upper()}_IDENTITY_URL", "").strip()
    if own:
        return own
    try:
        urls = json.loads(environ.get("UPONYAJI_SERVICE_URLS", "{}") or "{}")
    except ValueError:
        return None
    found = urls.get("identity") if isinstance(urls, dict) else None
    return found if isinstance(found, str) else None


def production_problems(
    service: str,
    settings: ServiceSettings,
    *,
    sealing: bool,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Every development shortcut in a production service's settings (empty outside production)."""
    if settings.environment != "production":
        return []
    env = os.environ if environ is None else environ
    name = service.upper()
    problems: list[str] = []
    creds = settings.nats_credentials_file
    if creds is None:
        problems.append(
            f"{name}_NATS_CREDENTIALS_FILE is not set: NATS would be joined anonymously"
        )
    elif not creds.is_file():
        problems.append(f"{name}_NATS_CREDENTIALS_FILE={creds} does not exist")
    identity = _identity_url(service, env)
    if identity is not None and identity.lower().startswith("http://"):
        problems.append(
            f"{name}_IDENTITY_URL={identity} is plain http: JWKS, revocations and client "
            "secrets would travel in clear (use https://)"
        )
    if env.get(f"{name}_JWKS_FILE", "").strip():
        problems.append(f"{name}_JWKS_FILE is set: production trusts only identity's JWKS")
    if sealing:
        kek = settings.kek_file
        if kek is None or not kek.is_file():
            problems.append(
                f"{name}_KEK_FILE={kek} does not exist (keys are never created in production)"
            )
    keys = settings.signing_key_dir
    if keys is None or not (keys / "active.key").is_file():
        problems.append(
            f"{name}_SIGNING_KEY_DIR={keys} holds no active.key (keys are never created in "
            "production)"
        )
    problems.extend(_audit_key_problems(env))
    heads = settings.notary_heads_file
    if heads is None:
        problems.append(
            f"{name}_NOTARY_HEADS_FILE is not set: no notary would run (no tamper evidence)"
        )
    elif not heads.parent.is_dir():
        problems.append(
            f"{name}_NOTARY_HEADS_FILE={heads}: its directory {heads.parent} does not exist"
        )
    return problems


def _audit_key_problems(env: Mapping[str, str]) -> list[str]:
    path = env.get(KEY_FILE_ENV, "").strip()
    if not path:
        return [f"{KEY_FILE_ENV} is not set: audit hashes would use a key of this process only"]
    if not Path(path).is_file():
        return [f"{KEY_FILE_ENV}={path} does not exist"]
    try:
        AuditKey.from_file(Path(path))
    except AuditKeyError:
        return [f"{KEY_FILE_ENV}={path} is unreadable or shorter than {MIN_KEY_BYTES} bytes"]
    return []


async def database_problems(service: str, settings: ServiceSettings) -> list[str]:
    """Probe the live database: does it accept a wrong password, is the service a superuser?"""
    if settings.environment != "production":
        return []
    name = service.upper()
    problems: list[str] = []
    try:
        # An explicit password overrides the URL's and any passfile: a server that lets this in
        # checks no password at all.
        wrong = await asyncpg.connect(settings.database_url, password=secrets.token_hex(16))
    except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
        pass
    else:
        await wrong.close()
        problems.append(
            f"{name}_DATABASE_URL: the server accepted a wrong password (trust authentication)"
        )
    conn = await asyncpg.connect(settings.database_url)
    try:
        if await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            problems.append(f"{name}_DATABASE_URL connects as a superuser")
    finally:
        await conn.close()
    return problems
