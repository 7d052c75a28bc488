"""The local stack: embedded PostgreSQL and NATS, then every installed service, then demo data.

Started in that order, stopped in the reverse one. A failure anywhere stops what was started
and raises StartFailure naming the component and its log.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.markup import escape

from uponyaji_launcher.clients import client_env, provision_clients
from uponyaji_launcher.config import NATS_PORT_ENV, PG_PORT_ENV, StackConfig
from uponyaji_launcher.failures import Interrupted, StartFailure
from uponyaji_launcher.keys import ensure_kek, ensure_signing_key
from uponyaji_launcher.nats import EmbeddedNats, NatsStartError
from uponyaji_launcher.natsauth import NatsAuthConfig, stack_auth, write_credentials
from uponyaji_launcher.pgroles import ServiceDatabase, ensure_service_database, write_passfile
from uponyaji_launcher.ports import PortTaken
from uponyaji_launcher.postgres import EmbeddedPostgres, PostgresStartError
from uponyaji_launcher.preflight import PortClaim, check_ports
from uponyaji_launcher.processes import ServiceProcess, app_command
from uponyaji_launcher.seeding import SeedError, run_seed
from uponyaji_launcher.services import ServiceSpec
from uponyaji_launcher.state import process_record, read_json, write_private_json
from uponyaji_launcher.summary import Summary

SERVER_START_TIMEOUT = 60.0  # PostgreSQL and NATS start in about a second; this is for slow disks


class Stack:
    """Starts and stops the local stack for one run directory."""

    def __init__(
        self, config: StackConfig, console: Console, stop_requested: Callable[[], bool]
    ) -> None:
        self.config = config
        self.console = console
        self._stop_requested = stop_requested
        self.postgres: EmbeddedPostgres | None = None
        self.nats: EmbeddedNats | None = None
        self.services: list[ServiceProcess] = []
        self.databases: dict[str, ServiceDatabase] = {}
        self._records: dict[str, dict[str, Any]] = {}
        self._reported: set[str] = set()

    # -- starting ---------------------------------------------------------------------------

    def start(self) -> Summary:
        """Start everything and return the summary; on any failure stop what started, re-raise."""
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _check_stop(self) -> None:
        if self._stop_requested():
            raise Interrupted("stop requested before the stack was ready")

    def _start(self) -> Summary:
        cfg = self.config
        present = [spec for spec in cfg.services if spec.installed()]
        installed = [spec for spec in present if spec.has_app()]
        summary = Summary(
            run_dir=str(cfg.paths.root),
            not_installed=[spec.name for spec in cfg.services if spec not in present],
            warnings=[
                f"package {spec.name} has no {spec.name}/app.py yet: not started"
                for spec in present
                if spec not in installed
            ],
        )
        own_db = [spec for spec in installed if cfg.external_database_url(spec) is None]
        use_postgres = bool(own_db) or not installed
        if installed:
            use_nats = any(cfg.external_nats_url(spec) is None for spec in installed)
        else:
            use_nats = not cfg.environ.get("NATS_URL", "").strip()
        self._preflight(installed, use_postgres, use_nats)
        cfg.paths.prepare()
        self._keys(installed)
        provision_clients(cfg.paths, [spec.name for spec in installed])
        if use_postgres:
            self._start_postgres(own_db)
            summary.postgres_url = f"postgresql://postgres@127.0.0.1:{cfg.postgres_port}"
        self._check_stop()
        if use_nats:
            self._start_nats(installed)
            summary.nats_url = self.nats.url if self.nats else None
        self._check_stop()
        self._start_services(installed)
        summary.services = [
            {
                "name": proc.name,
                "url": proc.base_url,
                "docs": "" if proc.name == "portal" else f"{proc.base_url}/docs",
                "log": str(proc.log),
            }
            for proc in self.services
        ]
        if cfg.seed and not cfg.production:
            summary.demo_logins, seed_warnings = self._seed(installed)
            summary.warnings += seed_warnings
        self._save_state(summary)
        return summary

    def _keys(self, installed: list[ServiceSpec]) -> None:
        """Each service's KEK and signing key: made in development, required in production."""
        paths = self.config.paths
        for spec in installed:
            kek, signing = paths.kek_file(spec.name), paths.signing_keys(spec.name)
            if self.config.production:
                for missing in (kek, signing / "active.key"):
                    if not missing.is_file():
                        raise StartFailure(
                            f"service {spec.name}",
                            f"UPONYAJI_ENV=production: {missing} is missing and keys are never "
                            "created in production; provision it from your secret store",
                        )
                continue
            if ensure_kek(kek):
                self.console.print(f"  created development key {kek}")
            if ensure_signing_key(signing):
                self.console.print(f"  created signing key in {signing}")
        if not self.config.production and ensure_kek(paths.audit_key):
            self.console.print(f"  created audit key {paths.audit_key}")

    def _preflight(self, installed: list[ServiceSpec], postgres: bool, nats: bool) -> None:
        cfg = self.config
        claims: list[PortClaim] = []
        if postgres:
            claims.append(PortClaim("PostgreSQL", cfg.postgres_port, PG_PORT_ENV))
        if nats:
            claims.append(PortClaim("NATS", cfg.nats_port, NATS_PORT_ENV))
        claims += [
            PortClaim(f"service {spec.name}", spec.port(cfg.environ), f"{spec.env_prefix}_PORT")
            for spec in installed
        ]
        check_ports(claims)

    def _start_postgres(self, databases: list[ServiceSpec]) -> None:
        paths = self.config.paths
        self.console.print(f"  starting PostgreSQL on 127.0.0.1:{self.config.postgres_port} …")
        self.postgres = EmbeddedPostgres(
            paths.postgres_data,
            self.config.postgres_port,
            log_file=paths.postgres_log,
            password_file=paths.postgres_password,
        )
        try:
            self.postgres.start(timeout=SERVER_START_TIMEOUT)
            pid = self.postgres.postmaster_pid()
            if pid is not None:
                self._record("postgres", pid)
            for spec in databases:
                db = ensure_service_database(self.postgres, spec.name)
                write_passfile(paths.passfile(spec.name), self.postgres, db)
                self.databases[spec.name] = db
        except (PostgresStartError, PortTaken, OSError, subprocess.SubprocessError) as error:
            raise StartFailure("PostgreSQL", str(error), paths.postgres_log) from error
        self.console.print(f"[green]✓[/] PostgreSQL   {self.postgres.plain_url('')}")

    def _start_nats(self, installed: list[ServiceSpec]) -> None:
        paths = self.config.paths
        self.console.print(f"  starting NATS (JetStream) on 127.0.0.1:{self.config.nats_port} …")
        auth = self._nats_users(installed)
        self.nats = EmbeddedNats(
            paths.nats_store,
            self.config.nats_port,
            auth=auth,
            log_file=paths.nats_log,
            config_file=paths.nats_config,
        )
        try:
            self.nats.start(timeout=SERVER_START_TIMEOUT)
        except (NatsStartError, PortTaken, OSError) as error:
            raise StartFailure("NATS", str(error), paths.nats_log) from error
        if self.nats.pid is not None:
            self._record("nats", self.nats.pid)
        self.console.print(f"[green]✓[/] NATS         {self.nats.url}")

    def _nats_users(self, installed: list[ServiceSpec]) -> NatsAuthConfig:
        """Fresh users for the services (each may consume only its sources); their files."""
        names = {spec.name for spec in installed}
        auth = stack_auth(
            (spec.name, [s for s in spec.consumes if s in names]) for spec in installed
        )
        for user in auth.users:
            write_credentials(self.config.paths.nats_credentials_file(user.name), user)
        return auth

    def service_env(self, spec: ServiceSpec, urls: dict[str, str]) -> dict[str, str]:
        """The environment a service (and its seeding) runs with: the launcher contract."""
        cfg = self.config
        prefix = spec.env_prefix
        env = dict(cfg.environ)
        database = cfg.external_database_url(spec)
        own = self.databases.get(spec.name)
        if database is None and self.postgres is not None and own is not None:
            # Passwords come from the service's own passfile, never from the URL.
            database = self.postgres.plain_url(spec.name, own.runtime)
            env[f"{prefix}_MIGRATION_DATABASE_URL"] = self.postgres.plain_url(spec.name, own.owner)
            env["PGPASSFILE"] = str(cfg.paths.passfile(spec.name))
        nats = cfg.external_nats_url(spec)
        if nats is None and self.nats is not None:
            nats = self.nats.url
            env[f"{prefix}_NATS_CREDENTIALS_FILE"] = str(cfg.paths.nats_credentials_file(spec.name))
        env.update(
            {
                "UPONYAJI_ENV": cfg.environment,
                f"{prefix}_DATABASE_URL": database or "",
                f"{prefix}_NATS_URL": nats or "",
                f"{prefix}_KEK_FILE": str(cfg.paths.kek_file(spec.name)),
                f"{prefix}_SIGNING_KEY_DIR": str(cfg.paths.signing_keys(spec.name)),
                f"{prefix}_NOTARY_HEADS_FILE": str(cfg.paths.notary_heads(spec.name)),
                f"{prefix}_PORT": str(spec.port(cfg.environ)),
                "UPONYAJI_SERVICE_URLS": json.dumps(urls, sort_keys=True),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(client_env(cfg.paths, spec.name))
        if cfg.paths.audit_key.is_file():  # one key for every service: hashes match across them
            env["UPONYAJI_AUDIT_KEY_FILE"] = str(cfg.paths.audit_key)
        if spec.name == "identity" and "UPONYAJI_TRUSTED_PROXIES" not in cfg.environ:
            # Staff sign in through the portal on this host, which forwards their address:
            # identity believes it from here (lockouts and audit records per real client).
            env["UPONYAJI_TRUSTED_PROXIES"] = "127.0.0.1,::1"
        if spec.name == "portal":  # development only: the sign-in page shows the demo codes
            env["PORTAL_DEMO_LOGINS_FILE"] = str(cfg.paths.demo_logins)
        return env

    def _start_services(self, installed: list[ServiceSpec]) -> None:
        cfg = self.config
        urls = {spec.name: f"http://127.0.0.1:{spec.port(cfg.environ)}" for spec in installed}
        for spec in installed:
            port = spec.port(cfg.environ)
            proc = ServiceProcess(
                name=spec.name,
                port=port,
                argv=app_command(cfg.python, spec.package, port, cfg.workers(spec)),
                env=self.service_env(spec, urls),
                log=cfg.paths.service_log(spec.name),
            )
            self.services.append(proc)
            self.console.print(f"  starting {spec.name} on 127.0.0.1:{port} …")
            proc.start()
            if proc.pid is not None:
                self._record(f"service:{spec.name}", proc.pid)
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        pending = list(self.services)
        deadline = time.monotonic() + self.config.start_timeout
        # trust_env=False: a developer's HTTP(S)_PROXY must not intercept calls to 127.0.0.1.
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while pending:
                self._check_stop()
                for proc in list(pending):
                    code = proc.exit_code()
                    if code is not None:
                        raise StartFailure(
                            f"service {proc.name}",
                            f"{proc.name} exited with code {code} before answering "
                            f"GET /health on port {proc.port}",
                            proc.log,
                        )
                    if proc.healthy(client):
                        pending.remove(proc)
                        self.console.print(f"[green]✓[/] {proc.name:<12} {proc.base_url}")
                if pending and time.monotonic() > deadline:
                    late = pending[0]
                    raise StartFailure(
                        f"service {late.name}",
                        f"GET {late.base_url}/health did not answer 200 within "
                        f"{self.config.start_timeout:.0f}s (UPONYAJI_START_TIMEOUT)",
                        late.log,
                    )
                if pending:
                    time.sleep(0.25)

    def _seed(self, installed: list[ServiceSpec]) -> tuple[list[dict[str, str]], list[str]]:
        """Run each service's seeding; a failed seed is a warning, the stack stays up."""
        cfg = self.config
        stored = read_json(cfg.paths.demo_logins)
        warnings: list[str] = []
        by_name = {proc.name: proc for proc in self.services}
        for spec in installed:
            if not spec.has_seed():
                continue
            self.console.print(f"  seeding {spec.name} …")
            log = cfg.paths.seed_log(spec.name)
            try:
                logins = run_seed(
                    spec.name,
                    cfg.python,
                    by_name[spec.name].env,
                    log,
                    self._stop_requested,
                    package=spec.package,
                )
            except SeedError as error:
                warnings.append(f"{error}; log: {log}")
                self.console.print(f"[yellow]![/] {escape(str(error))}; log: {log}")
                continue
            if logins:
                stored[spec.name] = logins
        write_private_json(cfg.paths.demo_logins, stored)
        demo = [
            {"service": spec.name, **login}
            for spec in installed
            for login in stored.get(spec.name) or []
            if isinstance(login, dict)
        ]
        return demo, warnings

    # -- bookkeeping --------------------------------------------------------------------------

    def _record(self, role: str, pid: int) -> None:
        try:
            self._records[role] = process_record(pid)
        except psutil.Error:
            return
        self._save_state(None)

    def _save_state(self, summary: Summary | None) -> None:
        """Keep .run/stack.json current, so leftovers can be found even after a SIGKILL."""
        state: dict[str, Any] = {
            "owner": os.getpid(),
            "ready": summary is not None,
            "processes": self._records,
        }
        if summary is not None:
            state["summary"] = summary.to_dict()
        self.config.paths.root.mkdir(parents=True, exist_ok=True)
        write_private_json(self.config.paths.state_file, state)

    # -- watching and stopping ---------------------------------------------------------------

    def problems(self) -> list[str]:
        """Components that died since the stack was ready, each reported once."""
        found: list[str] = []
        for proc in self.services:
            code = proc.exit_code()
            if code is not None:
                found.append(f"service {proc.name} exited with code {code}; log: {proc.log}")
        if self.nats is not None and not self.nats.is_running():
            found.append(f"NATS stopped; log: {self.nats.log}")
        if self.postgres is not None and not self.postgres.is_running():
            found.append(f"PostgreSQL stopped; log: {self.postgres.log}")
        fresh = [problem for problem in found if problem not in self._reported]
        self._reported.update(fresh)
        return fresh

    def stop(self) -> None:
        """Stop services (all at once, gracefully), then NATS, then PostgreSQL."""
        for proc in self.services:
            proc.request_stop()
        deadline = time.monotonic() + 15
        for proc in reversed(self.services):
            try:
                proc.stop(timeout=deadline - time.monotonic())
            except (OSError, subprocess.SubprocessError) as error:
                self.console.print(f"[red]could not stop {proc.name}: {escape(str(error))}[/]")
        self.services = []
        if self.nats is not None:
            try:
                self.nats.stop()
            except (OSError, subprocess.SubprocessError) as error:
                self.console.print(f"[red]could not stop NATS: {escape(str(error))}[/]")
            self.nats = None
        if self.postgres is not None:
            try:
                self.postgres.stop()
            except (PostgresStartError, OSError, subprocess.SubprocessError) as error:
                self.console.print(f"[red]could not stop PostgreSQL: {escape(str(error))}[/]")
            self.postgres = None
        self._records.clear()
