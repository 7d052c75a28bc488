"""Checks on TCP ports before a server is started on them."""

from __future__ import annotations

import socket
import time


class PortTaken(RuntimeError):
    """A port the stack needs is already in use by another process."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Return True when nothing listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) != 0


def require_free(port: int, what: str, host: str = "127.0.0.1") -> None:
    """Raise PortTaken naming the component when the port is already in use."""
    if not port_is_free(port, host):
        raise PortTaken(
            f"{what} cannot start: port {port} on {host} is already in use by another process "
            f"(set a different port in the environment or stop that process)"
        )


def wait_for_port(port: int, timeout: float, host: str = "127.0.0.1") -> bool:
    """Wait until something accepts connections on host:port; False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_is_free(port, host):
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    """Return a TCP port the OS considers free right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
