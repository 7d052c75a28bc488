"""Console output: the table of URLs and demo logins, and failure messages."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from uponyaji_launcher.failures import StartFailure
from uponyaji_launcher.summary import Summary

LOGIN_COLUMNS = ("service", "login", "password", "totp_secret", "role")


def print_summary(console: Console, summary: Summary) -> None:
    """Print where everything runs, the demo logins, and any warnings."""
    portal = next((s for s in summary.services if s["name"] == "portal"), None)
    if portal is not None:
        console.print(
            Panel(
                Text.assemble(
                    ("Open the staff portal: ", "bold"),
                    (portal["url"], "bold green"),
                    "\nDemo login (development only): username demo.intake_officer (or any demo."
                    "<role> below); the sign-in page shows each demo account's password and "
                    "current code, so no authenticator app is needed.",
                ),
                title="Uponyaji",
                title_align="left",
            )
        )
    table = Table(title="Uponyaji local stack", title_justify="left")
    # Wrap rather than truncate: a URL or password cut short with "…" is useless.
    table.add_column("service", style="bold", overflow="fold")
    table.add_column("URL", overflow="fold")
    table.add_column("API docs", overflow="fold")
    for service in summary.services:
        table.add_row(service["name"], service["url"], service["docs"])
    table.add_row("PostgreSQL", summary.postgres_url or "external (<NAME>_DATABASE_URL)", "")
    table.add_row("NATS", summary.nats_url or "external (NATS_URL / <NAME>_NATS_URL)", "")
    console.print(table)
    if not summary.services:
        console.print("No service is installed yet: PostgreSQL and NATS only.", style="yellow")
    if summary.not_installed:
        console.print(Text(f"Not installed (yet): {', '.join(summary.not_installed)}", "dim"))
    if summary.demo_logins:
        logins = Table(title="Demo accounts (synthetic, development only)", title_justify="left")
        for column in LOGIN_COLUMNS:
            logins.add_column(column, overflow="fold")
        for login in summary.demo_logins:
            logins.add_row(*(login.get(column, "") for column in LOGIN_COLUMNS))
        console.print(logins)
    for warning in summary.warnings:
        console.print(Text(f"warning: {warning}", "yellow"))
    console.print(Text(f"Data, logs and secrets: {summary.run_dir}", "dim"))


def print_failure(console: Console, failure: StartFailure) -> None:
    """Print what failed, why, where its log is, and the log's last lines."""
    parts: list[Text] = [Text(failure.message)]
    if failure.log is not None:
        parts.append(Text(f"log: {failure.log}", "bold"))
    if failure.tail:
        parts.append(Text(f"last lines of the log:\n{chr(10).join(failure.tail)}", "dim"))
    parts.append(Text("Nothing this attempt started is left running.", "italic"))
    console.print(
        Panel(Group(*parts), title=f"{failure.component} failed", title_align="left", style="red")
    )
