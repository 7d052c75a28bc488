"""The local launcher, with real PostgreSQL, NATS and a stand-in service (tests/deploy/fakesvc).

Every test gets its own run directory (UPONYAJI_RUN_DIR) and free ports, and only the fake
service is started (UPONYAJI_SERVICES), so nothing here touches a developer's .run or the
default ports.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from argon2 import PasswordHasher
from uponyaji_launcher.clients import client_env, provision_clients
from uponyaji_launcher.keys import ensure_kek
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.ports import free_port, port_is_free
from uponyaji_launcher.postgres import EmbeddedPostgres
from uponyaji_launcher.seeding import parse_logins
from uponyaji_launcher.services import RegistryError, registry

FAKE_SERVICE_ROOT = Path(__file__).resolve().parent  # holds the `fakesvc` package
FOREIGN_VARIABLES = ("NATS_URL", "UPONYAJI_", "FAKESVC_")


def _clean_environment() -> dict[str, str]:
    """The test process's environment without anything that would redirect the launcher."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(FOREIGN_VARIABLES)
        and not key.endswith(("_DATABASE_URL", "_NATS_URL"))
    }


@dataclass
class LocalStack:
    """One run directory with its own ports, driven through the `uponyaji` command."""

    run_dir: Path
    pg_port: int
    nats_port: int
    service_port: int

    @property
    def env(self) -> dict[str, str]:
        """Environment for the launcher: tmp run dir, free ports, the fake service only."""
        env = _clean_environment()
        env.update(
            UPONYAJI_RUN_DIR=str(self.run_dir),
            UPONYAJI_PG_PORT=str(self.pg_port),
            UPONYAJI_NATS_PORT=str(self.nats_port),
            UPONYAJI_EXTRA_SERVICES=f"fakesvc:{self.service_port}",
            UPONYAJI_SERVICES="fakesvc",
            UPONYAJI_START_TIMEOUT="90",
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(FAKE_SERVICE_ROOT), os.environ.get("PYTHONPATH")])
            ),
            COLUMNS="250",
        )
        return env

    @property
    def base_url(self) -> str:
        """URL of the fake service."""
        return f"http://127.0.0.1:{self.service_port}"

    def command(self, *args: str) -> list[str]:
        """The `uponyaji` command line, run by this interpreter (the project's venv)."""
        return [sys.executable, "-m", "uponyaji_launcher.cli", *args]

    def uponyaji(
        self, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        """Run `uponyaji <args>` to completion."""
        return subprocess.run(
            self.command(*args),
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def health(self) -> dict[str, Any]:
        """The fake service's /health document (it reports what the launcher gave it)."""
        response = httpx.get(f"{self.base_url}/health", timeout=5)
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        return body

    def postgres(self) -> EmbeddedPostgres:
        """A handle on the run directory's PostgreSQL (for psql)."""
        return EmbeddedPostgres(
            self.run_dir / "postgres",
            self.pg_port,
            password_file=self.run_dir / "secrets" / "postgres.password",
        )

    def leftovers(self) -> list[str]:
        """Live processes belonging to this run: by run dir or port on the command line, or env."""
        ports = {str(self.pg_port), str(self.nats_port), str(self.service_port)}
        found: list[str] = []
        for process in psutil.process_iter(["pid", "cmdline", "status"]):
            if process.pid == os.getpid() or process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            cmdline: list[str] = process.info["cmdline"] or []
            try:
                owned = process.environ().get("UPONYAJI_RUN_DIR") == str(self.run_dir)
            except psutil.Error:
                owned = False
            if owned or str(self.run_dir) in " ".join(cmdline) or ports & set(cmdline):
                found.append(f"pid {process.pid}: {' '.join(cmdline)}")
        return found

    def stack_log(self) -> str:
        """The background supervisor's log, for failure messages."""
        log = self.run_dir / "stack.log"
        return log.read_text() if log.is_file() else "(no stack.log)"

    def assert_nothing_left(self) -> None:
        """No process of this run survives and every port is free again."""
        deadline = time.monotonic() + 10
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert self.leftovers() == [], self.stack_log()
        for port in (self.pg_port, self.nats_port, self.service_port):
            assert port_is_free(port), f"port {port} still in use\n{self.stack_log()}"
        assert not (self.run_dir / "stack.pid").exists()


def _distinct_free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[LocalStack]:
    """A fresh run directory; whatever a test leaves running is stopped afterwards."""
    pg_port, nats_port, service_port = _distinct_free_ports(3)
    handle = LocalStack(tmp_path / "run", pg_port, nats_port, service_port)
    yield handle
    handle.uponyaji("down")


def _out(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def _wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


# -- the whole stack ---------------------------------------------------------------------------


@pytest.mark.slow
def test_up_serves_and_seeds_down_stops_everything_and_up_resumes_on_the_same_data(
    stack: LocalStack,
) -> None:
    first = stack.uponyaji("up")
    assert first.returncode == 0, first.stdout + first.stderr
    assert stack.base_url in first.stdout
    assert f"{stack.base_url}/docs" in first.stdout
    assert f"postgresql://postgres@127.0.0.1:{stack.pg_port}" in first.stdout
    assert f"nats://127.0.0.1:{stack.nats_port}" in first.stdout
    assert "demo.counsellor" in first.stdout
    assert "JBSWY3DPEHPK3PXP" in first.stdout

    running = " ".join(stack.leftovers())
    assert "nats-server" in running  # the leftover detector sees this run's processes
    assert "postgres" in running
    assert "uvicorn" in running
    health = stack.health()
    assert health["starts"] == 1
    assert health["env"] == "development"
    # The service runs as its own non-superuser role; its password is in its passfile only.
    assert health["database_url"] == f"postgresql://fakesvc_app@127.0.0.1:{stack.pg_port}/fakesvc"
    assert health["database_role"] == "fakesvc_app"
    passfile = stack.run_dir / "secrets" / "fakesvc.pgpass"
    assert oct(passfile.stat().st_mode & 0o777) == "0o600"
    assert health["nats_url"] == f"nats://127.0.0.1:{stack.nats_port}"
    assert health["jetstream"] is True  # reached with its own NATS user, not anonymously
    assert health["nats_credentials_mode"] == "0o600"
    assert health["service_urls"] == {"fakesvc": stack.base_url}
    assert health["kek_bytes"] == 32
    assert health["kek_mode"] == "0o600"
    kek = (stack.run_dir / "secrets" / "fakesvc.kek").read_bytes()
    client_secret = stack.run_dir / "secrets" / "fakesvc.client-secret"
    assert health["client_secret_file"] == str(client_secret)
    assert health["client_secret_mode"] == "0o600"
    secret = client_secret.read_text()
    assert _client_hash(stack.run_dir, "fakesvc", secret)
    assert (stack.run_dir / "logs" / "fakesvc.log").read_text().count("GET /health") >= 1
    # Nothing under .run is readable by other users (as root: search-only for PostgreSQL's user).
    assert stack.run_dir.stat().st_mode & 0o066 == 0
    for log in (stack.run_dir / "logs").iterdir():
        assert log.stat().st_mode & 0o077 == 0, log
    stack.postgres().psql("CREATE TABLE notes AS SELECT 'kept' AS body", "fakesvc")

    status = stack.uponyaji("status")
    assert status.returncode == 0, _out(status)
    assert "healthy" in status.stdout, _out(status)
    again = stack.uponyaji("up")
    assert again.returncode == 0, _out(again)
    assert "already running" in again.stdout, _out(again)
    rival = stack.uponyaji("run")
    assert rival.returncode == 1, _out(rival)
    assert "already running" in rival.stderr, _out(rival)

    down = stack.uponyaji("down")
    assert down.returncode == 0, down.stdout + down.stderr
    stack.assert_nothing_left()
    nothing = stack.uponyaji("down")
    assert nothing.returncode == 0, _out(nothing)
    assert "Nothing is running" in nothing.stdout, _out(nothing)
    stopped = stack.uponyaji("status")
    assert stopped.returncode == 3, _out(stopped)

    second = stack.uponyaji("up")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "demo.counsellor" in second.stdout, _out(second)
    assert stack.health()["starts"] == 2
    assert stack.postgres().psql("SELECT body FROM notes", "fakesvc").strip() == "kept"
    seeded = stack.postgres().psql("SELECT count(*) FROM demo_accounts", "fakesvc")
    assert seeded.strip() == "1"  # seeding ran twice and stayed idempotent
    assert (stack.run_dir / "secrets" / "fakesvc.kek").read_bytes() == kek
    assert client_secret.read_text() != secret  # a new client secret at every start
    assert _client_hash(stack.run_dir, "fakesvc", client_secret.read_text())

    final = stack.uponyaji("down")
    assert final.returncode == 0, _out(final)
    stack.assert_nothing_left()


@pytest.mark.slow
def test_run_in_the_foreground_stops_everything_on_ctrl_c(stack: LocalStack) -> None:
    process = subprocess.Popen(
        stack.command("run"),
        env=stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        state = stack.run_dir / "stack.json"
        _wait_until(lambda: state.is_file() and '"ready": true' in state.read_text(), 120)
        assert stack.health()["starts"] == 1
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "Ready." in output
    assert "stopped" in output
    stack.assert_nothing_left()


@pytest.mark.slow
def test_a_service_that_crashes_at_start_fails_up_and_stops_what_had_started(
    stack: LocalStack,
) -> None:
    result = stack.uponyaji("up", extra_env={"FAKESVC_FAIL_AT_START": "1"})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "service fakesvc failed" in output
    assert str(stack.run_dir / "logs" / "fakesvc.log") in output
    assert "simulated startup failure" in output  # the log's last lines are shown
    # PostgreSQL and NATS had started before the service: they must be gone too.
    stack.assert_nothing_left()


@pytest.mark.slow
def test_a_service_that_never_becomes_healthy_fails_up_after_the_start_timeout(
    stack: LocalStack,
) -> None:
    flags = {"FAKESVC_UNHEALTHY": "1", "UPONYAJI_START_TIMEOUT": "3"}
    result = stack.uponyaji("up", extra_env=flags)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"GET {stack.base_url}/health did not answer 200 within 3s" in output
    assert str(stack.run_dir / "logs" / "fakesvc.log") in output
    stack.assert_nothing_left()


@pytest.mark.slow
def test_a_failed_seed_is_a_warning_and_the_stack_stays_up(stack: LocalStack) -> None:
    result = stack.uponyaji("up", extra_env={"FAKESVC_SEED_FAIL": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seeding fakesvc exited with code 1" in result.stdout
    assert str(stack.run_dir / "logs" / "fakesvc.seed.log") in result.stdout
    seed_log = (stack.run_dir / "logs" / "fakesvc.seed.log").read_text()
    assert "simulated seeding failure" in seed_log
    assert stack.health()["starts"] == 1


@pytest.mark.slow
def test_down_during_a_start_stops_it_and_up_reports_the_interruption(stack: LocalStack) -> None:
    env = {**stack.env, "FAKESVC_UNHEALTHY": "1"}
    starting = subprocess.Popen(
        stack.command("up"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        log = stack.run_dir / "logs" / "fakesvc.log"
        _wait_until(lambda: log.is_file() and "GET /health" in log.read_text(), 120)
        down = stack.uponyaji("down")
        assert down.returncode == 0, down.stdout + down.stderr
        _, errors = starting.communicate(timeout=60)
    finally:
        if starting.poll() is None:
            starting.kill()
            starting.wait()
    assert starting.returncode == 1, errors
    assert "stop requested before the stack was ready" in errors
    stack.assert_nothing_left()


@pytest.mark.slow
def test_what_a_killed_launcher_left_running_is_stopped_by_the_next_up_and_by_down(
    stack: LocalStack,
) -> None:
    first = stack.uponyaji("up")
    assert first.returncode == 0, _out(first)
    supervisor = int((stack.run_dir / "stack.pid").read_text())
    os.kill(supervisor, signal.SIGKILL)  # no chance to clean up: servers and service stay
    _wait_until(lambda: not psutil.pid_exists(supervisor), 10)
    assert stack.health()["starts"] == 1

    restarted = stack.uponyaji("up")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert stack.health()["starts"] == 2  # a new service process, not the orphan

    supervisor = int((stack.run_dir / "stack.pid").read_text())
    os.kill(supervisor, signal.SIGKILL)
    _wait_until(lambda: not psutil.pid_exists(supervisor), 10)
    down = stack.uponyaji("down")
    assert down.returncode == 0, _out(down)
    assert "stopped leftovers" in down.stdout, _out(down)
    stack.assert_nothing_left()


@pytest.mark.slow
def test_external_database_and_nats_are_used_instead_of_embedded_ones(
    stack: LocalStack, tmp_path: Path
) -> None:
    external_pg = EmbeddedPostgres(tmp_path / "external-pg", free_port())
    external_nats = EmbeddedNats.with_test_kit(tmp_path / "external-nats", free_port())
    external_pg.start()
    try:
        external_pg.ensure_database("elsewhere")
        external_nats.start()
        urls = {"FAKESVC_DATABASE_URL": external_pg.url("elsewhere"), "NATS_URL": external_nats.url}
        result = stack.uponyaji("up", extra_env=urls)
        assert result.returncode == 0, result.stdout + result.stderr
        health = stack.health()
        assert health["database_url"] == external_pg.url("elsewhere")
        assert health["nats_url"] == external_nats.url
        assert not (stack.run_dir / "postgres").exists()
        assert not (stack.run_dir / "nats").exists()
        down = stack.uponyaji("down")
        assert down.returncode == 0, _out(down)
        stack.assert_nothing_left()
        assert external_pg.is_running()
        assert external_nats.is_running()
    finally:
        external_nats.stop()
        external_pg.stop()


@pytest.mark.parametrize(("component", "listening"), [("PostgreSQL", False), ("NATS", True)])
def test_a_taken_port_fails_naming_the_port_and_component_and_starts_nothing(
    stack: LocalStack, component: str, listening: bool
) -> None:
    port = stack.pg_port if component == "PostgreSQL" else stack.nats_port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind(("127.0.0.1", port))
        if listening:
            blocker.listen()
        result = stack.uponyaji("up")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert f"{component} cannot start: port {port}" in output
    stack.assert_nothing_left()


def test_down_when_nothing_runs_says_so(stack: LocalStack) -> None:
    result = stack.uponyaji("down")
    assert result.returncode == 0
    assert "Nothing is running" in result.stdout


# -- the pieces --------------------------------------------------------------------------------


def test_registry_knows_the_services_and_takes_extras_and_port_overrides() -> None:
    specs = registry({"UPONYAJI_EXTRA_SERVICES": "fakesvc:18099"})
    assert [(spec.name, spec.default_port) for spec in specs] == [
        ("portal", 8000),  # the staff web pages come first (their URL is printed first)
        ("identity", 8001),
        ("intake", 8002),
        ("medical", 8003),
        ("psychosocial", 8004),
        ("empowerment", 8005),
        ("reporting", 8006),
        ("fakesvc", 18099),
    ]
    intake = next(spec for spec in specs if spec.name == "intake")
    assert intake.port({"INTAKE_PORT": "9102"}) == 9102
    only = registry({"UPONYAJI_EXTRA_SERVICES": "fakesvc:18099", "UPONYAJI_SERVICES": "fakesvc"})
    assert [spec.name for spec in only] == ["fakesvc"]


@pytest.mark.parametrize(
    "environ",
    [
        {"UPONYAJI_EXTRA_SERVICES": "fake-svc:1"},
        {"UPONYAJI_EXTRA_SERVICES": "fakesvc"},
        {"UPONYAJI_EXTRA_SERVICES": "intake:9000"},
        {"UPONYAJI_SERVICES": "nosuch"},
    ],
)
def test_registry_refuses_malformed_configuration(environ: dict[str, str]) -> None:
    with pytest.raises(RegistryError):
        registry(environ)


def test_a_bad_port_variable_is_a_configuration_error(stack: LocalStack) -> None:
    result = stack.uponyaji("up", extra_env={"UPONYAJI_NATS_PORT": "70000"})
    assert result.returncode == 2
    assert "UPONYAJI_NATS_PORT" in result.stderr


def test_development_keys_are_private_random_and_never_replaced(tmp_path: Path) -> None:
    key = tmp_path / "secrets" / "intake.kek"
    assert ensure_kek(key) is True
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(base64.b64decode(key.read_bytes(), validate=True)) == 32
    before = key.read_bytes()
    assert ensure_kek(key) is False
    assert key.read_bytes() == before
    assert ensure_kek(tmp_path / "secrets" / "medical.kek") is True
    assert (tmp_path / "secrets" / "medical.kek").read_bytes() != before


def _client_hash(run_dir: Path, name: str, secret: str) -> bool:
    """Whether identity's clients file holds a hash of this secret for this service."""
    lines = (run_dir / "secrets" / "identity.service-clients").read_text().splitlines()
    hashes = [line.partition(":")[2] for line in lines if line.startswith(f"{name}:")]
    return len(hashes) == 1 and PasswordHasher().verify(hashes[0], secret)


def test_service_clients_get_private_random_secrets_and_identity_only_their_hashes(
    tmp_path: Path,
) -> None:
    paths = RunPaths(tmp_path / "run")
    assert provision_clients(paths, ["identity", "intake", "psychosocial"]) == [
        "intake",
        "psychosocial",
    ]
    clients = paths.service_clients_file
    assert stat.S_IMODE(clients.stat().st_mode) == 0o600
    assert not paths.client_secret_file("identity").exists()  # identity issues, needs none
    first = {}
    for name in ("intake", "psychosocial"):
        secret_file = paths.client_secret_file(name)
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        first[name] = secret_file.read_text()
        assert len(first[name]) >= 43
        assert first[name] not in clients.read_text()
        assert _client_hash(paths.root, name, first[name])
    provision_clients(paths, ["identity", "intake", "psychosocial"])
    assert paths.client_secret_file("intake").read_text() != first["intake"]
    assert client_env(paths, "intake") == {
        "INTAKE_SERVICE_CLIENT_SECRET_FILE": str(paths.client_secret_file("intake"))
    }
    assert client_env(paths, "identity") == {"IDENTITY_SERVICE_CLIENTS_FILE": str(clients)}


def test_seed_output_yields_demo_logins_and_ignores_other_lines() -> None:
    output = 'seeding…\n{"login": "a", "password": "p", "totp_secret": null}\n[1, 2]\n\n'
    logins, other = parse_logins(output)
    assert logins == [{"login": "a", "password": "p", "totp_secret": ""}]
    assert other == ["seeding…", "[1, 2]"]


def test_production_creates_no_keys_and_refuses_naming_the_missing_one(stack: LocalStack) -> None:
    result = stack.uponyaji("up", extra_env={"UPONYAJI_ENV": "production"})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "UPONYAJI_ENV=production" in output
    assert "fakesvc.kek" in output.replace("\n", "").replace("│", "").replace(" ", "")
    assert not (stack.run_dir / "secrets" / "fakesvc.kek").exists()
    assert not (stack.run_dir / "secrets" / "signing" / "fakesvc" / "active.key").exists()
    stack.assert_nothing_left()
