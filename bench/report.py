"""Figures, target checks and their rendering as rich tables (and JSON for the record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.probe import Measurement


@dataclass
class Figure:
    """One measured rate, shown beside the raw ceiling measured in the same run."""

    bench: str
    case: str
    events: int
    measured: Measurement
    transactions: int | None = None
    ceiling: float | None = None
    ceiling_what: str = ""
    reference: bool = False  # a ceiling or a peer, not the kernel itself

    @property
    def rate(self) -> float:
        """Events (or rows, or messages) per second."""
        return self.events / self.measured.seconds

    @property
    def tx_rate(self) -> float | None:
        """Transactions per second, where the case has transactions."""
        if self.transactions is None:
            return None
        return self.transactions / self.measured.seconds

    @property
    def of_ceiling(self) -> float | None:
        """The rate as a fraction of its ceiling."""
        return self.rate / self.ceiling if self.ceiling else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        cpu = self.measured.cpu
        return {
            "bench": self.bench,
            "case": self.case,
            "events": self.events,
            "seconds": round(self.measured.seconds, 3),
            "rate": round(self.rate, 1),
            "tx_rate": None if self.tx_rate is None else round(self.tx_rate, 1),
            "ceiling": None if self.ceiling is None else round(self.ceiling, 1),
            "ceiling_what": self.ceiling_what,
            "of_ceiling": None if self.of_ceiling is None else round(self.of_ceiling, 3),
            "reference": self.reference,
            "cpu": None if cpu is None else cpu.__dict__,
        }


@dataclass(frozen=True)
class Check:
    """A target from the brief and whether the run met it."""

    what: str
    measured: float
    target: float
    unit: str  # "events/s", "x" (a ratio) or "%"

    @property
    def ok(self) -> bool:
        """True when the measured value reaches the target."""
        return self.measured >= self.target

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {**self.__dict__, "ok": self.ok}


@dataclass(frozen=True)
class Failure:
    """A benchmark case that failed: its name and its error (the other figures still count)."""

    case: str
    error: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {"case": self.case, "error": self.error}


@dataclass
class Results:
    """Everything one benchmark produced."""

    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    machine: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def extend(self, other: Results) -> None:
        """Add another benchmark's results."""
        self.figures.extend(other.figures)
        self.checks.extend(other.checks)
        self.notes.extend(other.notes)
        self.failures.extend(other.failures)

    def failed(self, case: str, exc: BaseException) -> None:
        """Record that `case` failed with `exc` (its type and message, one line)."""
        message = " ".join(str(exc).split())[:500]
        self.failures.append(Failure(case, f"{type(exc).__name__}: {message}".rstrip(": ")))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "machine": self.machine,
            "figures": [f.as_dict() for f in self.figures],
            "checks": [c.as_dict() for c in self.checks],
            "notes": self.notes,
            "failures": [f.as_dict() for f in self.failures],
        }


def _num(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _value(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}×"
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:,.0f} {unit}"


def figures_table(figures: list[Figure]) -> Table:
    """The figures, each beside its ceiling, with where the CPU went."""
    table = Table(title="Figures", title_justify="left")
    for name, justify in (
        ("benchmark", "left"),
        ("case", "left"),
        ("events/s", "right"),
        ("tx/s", "right"),
        ("ceiling/s", "right"),
        ("of ceiling", "right"),
        ("n", "right"),
        ("s", "right"),
        ("cores: py/pg/nats/other", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for fig in figures:
        ratio = fig.of_ceiling
        table.add_row(
            fig.bench,
            fig.case,
            _num(fig.rate),
            _num(fig.tx_rate),
            _num(fig.ceiling),
            "" if ratio is None else f"{ratio:.0%}",
            f"{fig.events:,}",
            f"{fig.measured.seconds:.2f}",
            "" if fig.measured.cpu is None else fig.measured.cpu.brief(),
            style="dim" if fig.reference else None,
        )
    return table


def checks_table(checks: list[Check]) -> Table:
    """The brief's targets against what this run measured."""
    table = Table(title="Targets", title_justify="left")
    table.add_column("target")
    table.add_column("measured", justify="right")
    table.add_column("needed", justify="right")
    table.add_column("", justify="center")
    for check in checks:
        table.add_row(
            check.what,
            _value(check.measured, check.unit),
            "≥ " + _value(check.target, check.unit),
            "[green]met[/]" if check.ok else "[red]missed[/]",
        )
    return table


def render(results: Results, console: Console) -> None:
    """Print the figures and the targets."""
    console.print(figures_table(results.figures))
    console.print(checks_table(results.checks))
    for note in results.notes:
        console.print(f"[yellow]note:[/] {note}")
    for failure in results.failures:
        console.print(f"[red]FAILED[/] {failure.case}: {failure.error}", markup=True)
