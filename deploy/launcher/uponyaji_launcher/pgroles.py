"""Least-privilege PostgreSQL roles per service: an owner that migrates, a runtime role that works.

For a service `<name>` with database `<name>`:
- `<name>_owner` owns the database and its schema and runs the migrations;
- `<name>_app` is what the service runs as: it may read and write its own tables (the event table
  only by INSERT and SELECT, plus setting `position` and the signature once, which a trigger
  enforces for every role), and nothing else: no other database (CONNECT is revoked from
  PUBLIC), no superuser, no file access (`pg_read_file` is not granted).
Both get fresh passwords at every start, kept in the service's own passfile (0600).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from uponyaji_launcher.clients import write_private
from uponyaji_launcher.postgres import EmbeddedPostgres

PASSWORD_BYTES = 32


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class ServiceDatabase:
    """A service's database with its two roles and their passwords."""

    database: str
    owner: str
    owner_password: str
    runtime: str
    runtime_password: str

    def passfile_lines(self, host: str, port: int) -> str:
        """Lines of a libpq/asyncpg passfile for both roles."""

        def esc(value: str) -> str:
            return value.replace("\\", "\\\\").replace(":", "\\:")

        return "".join(
            f"{host}:{port}:{esc(self.database)}:{esc(role)}:{esc(password)}\n"
            for role, password in (
                (self.owner, self.owner_password),
                (self.runtime, self.runtime_password),
            )
        )


def ensure_service_database(server: EmbeddedPostgres, name: str) -> ServiceDatabase:
    """Create or update the service's database and roles (new passwords); return them."""
    db = ServiceDatabase(
        database=name,
        owner=f"{name}_owner",
        owner_password=secrets.token_urlsafe(PASSWORD_BYTES),
        runtime=f"{name}_app",
        runtime_password=secrets.token_urlsafe(PASSWORD_BYTES),
    )
    owner, app, database = _ident(db.owner), _ident(db.runtime), _ident(name)
    roles: list[str] = []
    for role, password in ((db.owner, db.owner_password), (db.runtime, db.runtime_password)):
        roles += [
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(role)}) "
            f"THEN CREATE ROLE {_ident(role)} LOGIN; END IF; END $$",
            f"ALTER ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            f"NOBYPASSRLS PASSWORD {_literal(password)}",
        ]
    server.psql(";\n".join(roles))
    server.ensure_database(name)
    server.psql(
        f"ALTER DATABASE {database} OWNER TO {owner}; "
        f"REVOKE ALL ON DATABASE {database} FROM PUBLIC; "
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}"
    )
    inside = [
        f"ALTER SCHEMA public OWNER TO {owner}",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        # Tables made by an older launcher as the superuser pass to the owner.
        "DO $$ DECLARE t record; BEGIN FOR t IN SELECT tablename FROM pg_tables "  # noqa: S608 - checked service names
        "WHERE schemaname = 'public' AND tableowner <> " + _literal(db.owner) + " LOOP "
        "EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t.tablename, "
        + _literal(db.owner)
        + "); END LOOP; END $$",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        # The event table: append and read; position and signature are set by the sequencer.
        "DO $$ BEGIN IF to_regclass('public.events') IS NOT NULL THEN "
        f"REVOKE UPDATE, DELETE, TRUNCATE ON public.events FROM {app}; "
        f"GRANT UPDATE (position, signature, key_id) ON public.events TO {app}; "
        "END IF; END $$",
    ]
    server.psql(";\n".join(inside), database=name)
    return db


def write_passfile(path: Path, server: EmbeddedPostgres, db: ServiceDatabase) -> None:
    """The service's passfile (0600), holding only its own roles' passwords."""
    write_private(path, db.passfile_lines("127.0.0.1", server.port))
