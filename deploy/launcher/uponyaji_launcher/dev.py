"""Development helpers on a running local stack: `uponyaji dev token <username>`."""

from __future__ import annotations

import subprocess

from rich.console import Console

from uponyaji_launcher.config import StackConfig
from uponyaji_launcher.state import is_owned


def identity_env(config: StackConfig) -> dict[str, str] | None:
    """The environment the running stack gives identity (None when identity is not installed)."""
    spec = next((s for s in config.services if s.name == "identity"), None)
    if spec is None or not spec.has_app():
        return None
    prefix = spec.env_prefix
    env = dict(config.environ)
    database = config.external_database_url(spec)
    if database is None:
        # identity's runtime role; its password is in identity's passfile, as the stack gave it.
        database = f"postgresql://identity_app@127.0.0.1:{config.postgres_port}/identity"
        env["PGPASSFILE"] = str(config.paths.passfile("identity"))
    nats = config.external_nats_url(spec)
    if nats is None:
        nats = f"nats://127.0.0.1:{config.nats_port}"
        env[f"{prefix}_NATS_CREDENTIALS_FILE"] = str(config.paths.nats_credentials_file("identity"))
    env.update(
        {
            "UPONYAJI_ENV": "development",
            f"{prefix}_DATABASE_URL": database,
            f"{prefix}_NATS_URL": nats,
            f"{prefix}_KEK_FILE": str(config.paths.kek_file("identity")),
            f"{prefix}_SIGNING_KEY_DIR": str(config.paths.signing_keys("identity")),
        }
    )
    return env


def dev_token(config: StackConfig, username: str, console: Console, errors: Console) -> int:
    """Print an access token for a demo account of the running development stack."""
    declared = config.environ.get("UPONYAJI_ENV", "development")
    if declared != "development":
        errors.print(f"[red]refused:[/] development tokens only (UPONYAJI_ENV={declared})")
        return 2
    if not is_owned(config.paths):
        errors.print(f"[red]the stack is not running[/] in {config.paths.root}: `make up` first")
        return 3
    env = identity_env(config)
    if env is None:
        errors.print("[red]identity is not installed[/]: there is no one to issue a token")
        return 3
    package = next(s.package for s in config.services if s.name == "identity")
    result = subprocess.run(
        [config.python, "-m", f"{package}.devtoken", username],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        errors.print(result.stderr.strip() or f"identity.devtoken exited {result.returncode}")
        return result.returncode
    console.print(result.stdout.strip(), soft_wrap=True)
    return 0
