"""`uponyaji rebuild <service>` and `uponyaji verify <service>` on the running local stack.

Each runs `python -m uponyaji_service.tools <command> <package>` with the environment the stack
gives that service (its database, NATS, key file, the other services' URLs, its client secret),
so the service's own code does the work (docs/service-shape.md).
"""

from __future__ import annotations

import json
import subprocess

from rich.console import Console

from uponyaji_launcher.clients import client_env
from uponyaji_launcher.config import StackConfig
from uponyaji_launcher.services import ServiceSpec
from uponyaji_launcher.state import is_owned, read_json
from uponyaji_launcher.summary import Summary


def running_env(config: StackConfig, spec: ServiceSpec) -> dict[str, str]:
    """The environment the running stack gives `spec` (the launcher contract)."""
    prefix = spec.env_prefix
    database = config.external_database_url(spec) or (
        f"postgresql://postgres@127.0.0.1:{config.postgres_port}/{spec.name}"
    )
    nats = config.external_nats_url(spec) or f"nats://127.0.0.1:{config.nats_port}"
    urls: dict[str, str] = {}
    state = read_json(config.paths.state_file)
    if state.get("summary"):
        summary = Summary.from_dict(state["summary"])
        urls = {service["name"]: service["url"] for service in summary.services}
    env = dict(config.environ)
    env.update(
        {
            "UPONYAJI_ENV": "development",
            f"{prefix}_DATABASE_URL": database,
            f"{prefix}_NATS_URL": nats,
            f"{prefix}_KEK_FILE": str(config.paths.kek_file(spec.name)),
            # The service's own keys (verify checks signatures with them; nothing is signed by
            # a throwaway key) and its notary heads file (verify checks the store against it).
            f"{prefix}_SIGNING_KEY_DIR": str(config.paths.signing_keys(spec.name)),
            f"{prefix}_NOTARY_HEADS_FILE": str(config.paths.notary_heads(spec.name)),
            "UPONYAJI_SERVICE_URLS": json.dumps(urls, sort_keys=True),
        }
    )
    env.update(client_env(config.paths, spec.name))
    return env


def service_tool(
    config: StackConfig, command: str, name: str, console: Console, errors: Console
) -> int:
    """Run `rebuild` or `verify` for one service of the running stack; its exit status."""
    spec = next((s for s in config.services if s.name == name), None)
    if spec is None or not spec.has_app():
        known = ", ".join(s.name for s in config.services if s.has_app())
        errors.print(f"[red]no installed service {name!r}[/] (installed: {known})")
        return 2
    if not is_owned(config.paths):
        errors.print(f"[red]the stack is not running[/] in {config.paths.root}: `make up` first")
        return 3
    console.print(f"{command} {name} …")
    result = subprocess.run(
        [config.python, "-m", "uponyaji_service.tools", command, spec.package],
        env=running_env(config, spec),
        check=False,
    )
    return result.returncode
