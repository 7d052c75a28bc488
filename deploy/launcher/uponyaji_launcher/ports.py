"""Checks on TCP ports before a server is started on them."""

from __future__ import annotations

import errno
import socket
import time


class PortTaken(RuntimeError):
    """A port the stack needs is already in use by another process."""


def _accepts(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def _bindable(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so that a port in TIME_WAIT from our own last run still counts as free,
        # as it will for the servers, which all set it too.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Return True when nothing listens on host:port and a server could bind it."""
    return not _accepts(port, host) and _bindable(port, host)


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
        if _accepts(port, host):
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    """Return a TCP port the OS considers free right now (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
