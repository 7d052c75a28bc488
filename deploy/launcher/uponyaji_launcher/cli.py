"""The `uponyaji` command: run, up, down, status, rebuild and verify (docs/running.md)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import httpx
from rich.console import Console

from uponyaji_launcher.background import start_background, stop_background
from uponyaji_launcher.config import ConfigError, StackConfig
from uponyaji_launcher.dev import dev_token
from uponyaji_launcher.failures import StartFailure
from uponyaji_launcher.maintain import service_tool
from uponyaji_launcher.paths import RunPaths
from uponyaji_launcher.report import print_failure, print_summary
from uponyaji_launcher.runner import hold_stack
from uponyaji_launcher.state import is_owned, read_json, read_pid
from uponyaji_launcher.summary import Summary


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uponyaji",
        description="Uponyaji local stack: embedded PostgreSQL and NATS, every installed service, "
        "demo data. Data, logs and secrets live in <repo>/.run (UPONYAJI_RUN_DIR).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("run", "the whole stack in the foreground; Ctrl-C stops it"),
        ("up", "the whole stack in the background; returns once everything is healthy"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("--no-seed", action="store_true", help="skip the demo data")
    commands.add_parser("down", help="stop what `up` (or `run`) started")
    commands.add_parser("status", help="show whether the stack runs, and where")
    dev = commands.add_parser("dev", help="development helpers on the running stack")
    dev_commands = dev.add_subparsers(dest="dev_command", required=True)
    token = dev_commands.add_parser(
        "token", help="print an access token for a demo account (development only)"
    )
    token.add_argument("username")
    for name, text in (
        ("rebuild", "rebuild a service's read tables from its events (with a progress bar)"),
        ("verify", "check a service's store: chains, signatures and the notary's tree heads"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("service", help="the service's name, e.g. intake")
    return parser


def run_foreground(config: StackConfig, console: Console, errors: Console) -> int:
    """`uponyaji run`: hold the stack until Ctrl-C or SIGTERM."""
    console.print(f"Starting the Uponyaji stack in {config.paths.root} …")

    def ready(summary: Summary) -> None:
        print_summary(console, summary)
        console.print("[bold]Ready.[/] Ctrl-C stops the stack.")

    def failed(failure: StartFailure) -> None:
        print_failure(errors, failure)

    return hold_stack(config, console, ready, failed)


def show_status(paths: RunPaths, console: Console) -> int:
    """`uponyaji status`: 0 when the stack runs, 3 when it does not."""
    if not is_owned(paths):
        console.print(f"Not running (run directory: {paths.root}).")
        return 3
    state = read_json(paths.state_file)
    console.print(f"Running from {paths.root} (pid {read_pid(paths)}).")
    if not state.get("summary"):
        console.print("Still starting …")
        return 0
    summary = Summary.from_dict(state["summary"])
    print_summary(console, summary)
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        for service in summary.services:
            try:
                healthy = client.get(f"{service['url']}/health").status_code == 200
            except httpx.HTTPError:
                healthy = False
            mark = "[green]healthy[/]" if healthy else "[red]not answering /health[/]"
            console.print(f"{service['name']}: {mark}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `uponyaji` console script."""
    args = _parser().parse_args(argv)
    # Piped (CI, a log file): wider than rich's default 80 columns, so URLs stay on one line.
    piped = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120
    console = Console(highlight=False, width=piped)
    errors = Console(stderr=True, highlight=False, width=piped)
    try:
        config = StackConfig.from_env(os.environ, seed=not getattr(args, "no_seed", False))
    except ConfigError as error:
        errors.print(f"[red]configuration error:[/] {error}")
        return 2
    if args.command == "run":
        return run_foreground(config, console, errors)
    if args.command == "up":
        return start_background(config, console, errors)
    if args.command == "down":
        return stop_background(config.paths, console, errors)
    if args.command == "dev":
        return dev_token(config, args.username, console, errors)
    if args.command in ("rebuild", "verify"):
        return service_tool(config, args.command, args.service, console, errors)
    return show_status(config.paths, console)


if __name__ == "__main__":
    sys.exit(main())
