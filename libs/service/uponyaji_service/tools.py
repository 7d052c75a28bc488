"""`python -m uponyaji_service.tools rebuild|verify <package>`: operator commands on one service.

Run with the service's environment (the launcher's `uponyaji rebuild <service>` and
`uponyaji verify <service>` do that). Both start the service's parts without serving HTTP and
without running its consumers (`create_app(feeds={})`), then:

- `rebuild` empties the service's read tables and replays what they are built from (its own
  events, or for reporting the sources' feeds), with a progress bar;
- `verify` checks the service's store and prints what it found: every stream's hash chain,
  positions without gaps, every event's signature, and the notary's tree heads (signatures,
  consistency, and that the store still has each head's root) from the heads file outside the
  database: the service's `<NAME>_NOTARY_HEADS_FILE`, or a copy shipped elsewhere given with
  `--heads FILE` (the copy to trust when the host is in doubt).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from uponyaji_events.integrity import VerifyReport
from uponyaji_events.notary import HeadsFile, HeadsFileError, verify_store

from uponyaji_service.app import Service, running

USAGE = (
    "usage: python -m uponyaji_service.tools rebuild <package, e.g. uponyaji_intake>\n"
    "       python -m uponyaji_service.tools verify <package> [--heads FILE]"
)


def declaration(package: str) -> tuple[Service[Any, Any], FastAPI]:
    """The service declared in `<package>.app` and an app of it whose consumers do not run."""
    module = importlib.import_module(f"{package}.app")
    found = [value for value in vars(module).values() if isinstance(value, Service)]
    if len(found) != 1:
        raise LookupError(f"{package}.app declares {len(found)} services, not one")
    return found[0], module.create_app(feeds={})


async def rebuild(package: str, console: Console) -> int:
    """Rebuild the service's read tables; return how many events were applied."""
    service, app = declaration(package)
    if service.rebuild is None:
        raise LookupError(f"{service.name} declares no rebuild")
    async with app.router.lifespan_context(app):
        with Progress(
            TextColumn(f"rebuild {service.name}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(service.name, total=None)
            applied = await service.rebuild(running(app), lambda n: bar.advance(task, n))
    console.print(f"rebuilt {service.name}: {applied} events applied")
    return applied


async def check(package: str, console: Console, heads_file: Path | None = None) -> VerifyReport:
    """Verify chains, signatures and tree heads of the service's store; print the findings."""
    service, app = declaration(package)
    async with app.router.lifespan_context(app):
        parts = running(app).parts
        path = heads_file or parts.settings.notary_heads_file
        heads = HeadsFile(path).read(service.name) if path is not None else []
        keys = parts.store.signer.public_keys() if parts.store.signer is not None else {}
        report = await verify_store(parts.pool, service.name, keys, heads)
    against = f"{len(heads)} tree heads in {path}" if path is not None else "no heads file"
    console.print(
        f"verified {service.name}: {report.checked} events checked against {against}, "
        f"{len(report.problems)} problems found"
    )
    for problem in report.problems:
        console.print(f"  {problem}")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 when it succeeded (and for verify: nothing was wrong)."""
    args = list(sys.argv[1:] if argv is None else argv)
    console = Console(highlight=False, soft_wrap=True)  # a line per finding, never folded
    heads: Path | None = None
    if len(args) == 4 and args[0] == "verify" and args[2] == "--heads":
        heads = Path(args[3])
        args = args[:2]
    if len(args) != 2 or args[0] not in ("rebuild", "verify"):
        console.print(USAGE)
        return 2
    command, package = args
    try:
        if command == "rebuild":
            asyncio.run(rebuild(package, console))
            return 0
        return 0 if asyncio.run(check(package, console, heads)).ok else 1
    except (LookupError, ModuleNotFoundError, HeadsFileError) as error:
        console.print(f"[red]{error}[/]")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
