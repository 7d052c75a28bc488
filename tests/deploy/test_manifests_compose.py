"""The compose stack, checked without a container daemon.

The file is validated against the compose-spec JSON schema (vendored by check-jsonschema) and
linted; its shape is checked for what operators rely on (every service, health-gated start,
non-root read-only containers, secrets only as files); the secrets generator makes every file it
mounts; the NATS node configuration passes `nats-server -t`; and the PostgreSQL init script runs
against a real PostgreSQL 18, leaving each service a runtime role reaching only its own database.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import yaml
from uponyaji_launcher.nats import nats_server_binary
from uponyaji_launcher.ports import free_port
from uponyaji_launcher.postgres import EmbeddedPostgres, _bin_dir
from uponyaji_serve.catalogue import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose"
BIN = Path(sys.executable).parent
BACKING = ("postgres", "nats-1", "nats-2", "nats-3")
WITH_DATABASE = [name for name in SERVICES if name != "portal"]  # built by the service factory


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """compose.yaml as data (anchors and merge keys resolved)."""
    data: dict[str, Any] = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    return data


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory filled by make_secrets.py, as an operator would."""
    out = tmp_path_factory.mktemp("compose") / "secrets"
    done = subprocess.run(
        [sys.executable, str(COMPOSE / "make_secrets.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_compose_file_is_valid_against_the_compose_spec_and_lints_clean() -> None:
    """check-jsonschema's vendored compose-spec schema and yamllint both pass."""
    schema = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    lint = subprocess.run(
        [str(BIN / "yamllint"), "-c", str(ROOT / "deploy" / ".yamllint.yaml"), str(COMPOSE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


def test_every_service_runs_from_the_image_non_root_read_only_and_health_gated(
    compose: dict[str, Any],
) -> None:
    """Each service: its own command, uid 10001, read-only root, no capabilities, a probe, and a
    start that waits for healthy PostgreSQL and all three NATS nodes (the portal for services)."""
    services = compose["services"]
    for name in SERVICES:
        spec = services[name]
        assert spec["command"] == [name]
        assert spec["user"] == "10001:10001"
        assert spec["read_only"] is True
        assert spec["cap_drop"] == ["ALL"]
        assert spec["healthcheck"]["test"] == ["CMD", "uponyaji-serve", "probe", name]
        depends = spec["depends_on"]
        assert all(d["condition"] == "service_healthy" for k, d in depends.items() if k in SERVICES)
        if name == "portal":
            assert {"identity", "intake", "reporting"} <= set(depends)
            continue
        for backing in BACKING:
            assert depends[backing]["condition"] == "service_healthy", (name, backing)
        if name != "identity":
            assert depends["identity"]["condition"] == "service_healthy"
        env = spec["environment"]
        assert env["UPONYAJI_ENV"] == "production"
        assert env["UPONYAJI_NATS_STREAM_REPLICAS"] == "3"
        assert env[f"{name.upper()}_NATS_URL"].count("nats://") == 3
        assert json.loads(env["UPONYAJI_SERVICE_URLS"])["identity"].startswith("https://")
    for backing in BACKING:
        assert services[backing]["healthcheck"]["test"][0] == "CMD"


def test_every_service_gets_the_audit_key_and_a_notary_heads_file_on_its_own_volume(
    compose: dict[str, Any],
) -> None:
    """What production mode requires of every service built by the factory: the deployment's one
    audit key as a secret file, and a notary heads file on a writable named volume of its own
    (the root filesystem is read-only), made ready by the one-shot `notary-volumes`."""
    services, volumes = compose["services"], compose["volumes"]
    assert compose["secrets"]["audit.key"]["file"] == "./secrets/audit.key"
    prepare = services["notary-volumes"]
    assert prepare["network_mode"] == "none"
    script = prepare["command"][0]
    for name in WITH_DATABASE:
        spec = services[name]
        env = spec["environment"]
        assert env["UPONYAJI_AUDIT_KEY_FILE"] == "/run/secrets/audit.key", name
        assert {"source": "audit.key", "target": "audit.key"} in spec["secrets"], name
        heads = Path(env[f"{name.upper()}_NOTARY_HEADS_FILE"])
        mounts = {v.split(":")[0]: v.split(":")[1] for v in spec["volumes"]}
        assert mounts.get(f"{name}-notary") == str(heads.parent), name
        assert f"{name}-notary" in volumes
        assert f"{name}-notary:/notary/{name}" in prepare["volumes"]
        assert name in script.split("for s in ")[1].split(";")[0].split()
        assert spec["read_only"] is True
        assert spec["depends_on"]["notary-volumes"]["condition"] == (
            "service_completed_successfully"
        )
    assert "UPONYAJI_AUDIT_KEY_FILE" not in services["portal"]["environment"]


def test_no_secret_is_written_into_the_compose_file(compose: dict[str, Any]) -> None:
    """Secrets reach containers only as files: no password in a URL or in a variable's value."""
    credentials_in_url = re.compile(r"://[^/@\s]+:[^/@\s]+@")
    for name, spec in compose["services"].items():
        for variable, value in (spec.get("environment") or {}).items():
            assert not credentials_in_url.search(str(value)), (name, variable)
            if re.search(r"PASSWORD|SECRET|KEY|TOKEN|CREDENTIALS|KEK", variable):
                assert variable.endswith(("_FILE", "_DIR")), (name, variable)


def test_the_generator_makes_every_secret_file_the_stack_mounts(
    compose: dict[str, Any], secrets_dir: Path
) -> None:
    """Each `secrets:` file and signing-key directory exists after make_secrets.py, private."""
    for name, secret in compose["secrets"].items():
        path = COMPOSE / secret["file"]
        made = secrets_dir / path.name
        assert made.is_file(), name
        assert made.stat().st_mode & 0o077 == 0, name
    for name in SERVICES:
        for volume in compose["services"][name].get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./secrets/"):
                assert (secrets_dir / Path(source).name / "active.key").is_file(), volume
    key = secrets_dir / "audit.key"
    assert len(key.read_bytes().strip()) >= 32  # what production requires
    before = key.read_bytes()
    again = subprocess.run(
        [sys.executable, str(COMPOSE / "make_secrets.py"), str(secrets_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert key.read_bytes() == before  # kept: every audit hash so far stays comparable
    users = (secrets_dir / "nats-users.conf").read_text()
    for name in SERVICES:
        if name == "portal":
            continue
        creds = json.loads((secrets_dir / f"{name}.nats.json").read_text())
        assert f'"password": "{creds["password"]}"' in users  # the server knows each user


def test_nats_node_configuration_is_accepted_by_nats_server(
    secrets_dir: Path, tmp_path: Path
) -> None:
    """`nats-server -t` accepts the node config with the generated users file included."""
    text = (COMPOSE / "nats" / "nats.conf").read_text()
    assert "sync_interval: always" in text
    config = tmp_path / "nats.conf"
    config.write_text(text.replace("store_dir: /data", f"store_dir: {tmp_path / 'data'}"))
    shutil.copy(secrets_dir / "nats-users.conf", tmp_path / "users.conf")  # as compose mounts it
    env = {**os.environ, "NATS_SERVER_NAME": "nats-1"}
    done = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL 18 of this test's own (the init script creates cluster-wide roles)."""
    server = EmbeddedPostgres(data_dir=tmp_path / "pg", port=free_port())
    server.start()
    yield server
    server.stop()


async def test_postgres_init_script_gives_each_service_only_its_own_database(
    own_postgres: EmbeddedPostgres, secrets_dir: Path
) -> None:
    """The init script makes per-service owner and runtime roles with the generated passwords;
    the runtime role reaches its own database, not another's, and is no superuser."""
    env = {
        **os.environ,
        "PATH": f"{_bin_dir()}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(own_postgres.port),
        "PGPASSWORD": own_postgres.superuser_password(),
        "POSTGRES_USER": "postgres",
        "SECRETS_DIR": str(secrets_dir),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        ["sh", str(COMPOSE / "postgres" / "10-service-databases.sh")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr

    def password(service: str, line: int) -> str:
        return (secrets_dir / f"{service}.pgpass").read_text().splitlines()[line].split(":", 4)[4]

    host = {"host": "127.0.0.1", "port": own_postgres.port}
    conn = await asyncpg.connect(
        **host, user="intake_app", password=password("intake", 1), database="intake"
    )
    try:
        query = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        assert await conn.fetchval(query) is False
    finally:
        await conn.close()
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(
            **host, user="intake_app", password=password("intake", 1), database="identity"
        )
    owner = await asyncpg.connect(
        **host, user="intake_owner", password=password("intake", 0), database="intake"
    )
    try:
        await owner.execute("CREATE TABLE probe_table (id int)")  # migrations run as the owner
    finally:
        await owner.close()
    app = await asyncpg.connect(
        **host, user="intake_app", password=password("intake", 1), database="intake"
    )
    try:
        await app.execute("INSERT INTO probe_table VALUES (1)")  # default privileges reach it
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("CREATE TABLE not_mine (id int)")
    finally:
        await app.close()
