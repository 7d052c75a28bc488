"""Port checks before anything starts, so a clash costs nothing to undo and names its culprit."""

from __future__ import annotations

from dataclasses import dataclass

import psutil

from uponyaji_launcher.failures import StartFailure
from uponyaji_launcher.ports import port_is_free


@dataclass(frozen=True)
class PortClaim:
    """A component that wants a port, and the variable that moves it elsewhere."""

    component: str
    port: int
    variable: str


def port_holder(port: int) -> str:
    """Best effort: which process listens on the port (visible for our own processes or as root)."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid:
                return f" by pid {conn.pid} ({psutil.Process(conn.pid).name()})"
    except (psutil.Error, OSError):
        pass
    return ""


def check_ports(claims: list[PortClaim]) -> None:
    """Raise StartFailure listing every claimed port that is taken or claimed twice."""
    problems: list[str] = []
    culprits: list[str] = []
    seen: dict[int, str] = {}
    for claim in claims:
        if claim.port in seen:
            problems.append(
                f"port {claim.port} is configured for both {seen[claim.port]} and "
                f"{claim.component}; set {claim.variable}=<port> to another port."
            )
            culprits.append(claim.component)
            continue
        seen[claim.port] = claim.component
        if not port_is_free(claim.port):
            problems.append(
                f"{claim.component} cannot start: port {claim.port} on 127.0.0.1 is already in use"
                f"{port_holder(claim.port)}. Stop that process, or choose another port with "
                f"{claim.variable}=<port>."
            )
            culprits.append(claim.component)
    if problems:
        raise StartFailure(" and ".join(culprits), "\n".join(problems), None, [])
