"""A client that keeps a connection idle past uvicorn's default keep-alive is still answered.

Clients reuse idle pooled connections (httpx keeps them 5 s by default, uvicorn closes them after
5 s by default): a request sent just as the server closes the connection is dropped. The services
therefore keep idle connections longer than any client in front of them; this serves a minimal
app with the launcher's own uvicorn command line and reuses one connection after 5.5 s idle.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from uponyaji_launcher.ports import free_port
from uponyaji_launcher.processes import KEEP_ALIVE_SECONDS, app_command
from uponyaji_serve.cli import serve_command

APP = """
def create_app():
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})
    return app
"""
IDLE_S = 5.5  # past uvicorn's default keep-alive and httpx's default keep-alive expiry


def _exchange(sock: socket.socket) -> bytes:
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while not answer.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(4096)
        if not chunk:  # the server closed the connection
            break
        answer += chunk
    return answer


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 30
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_connection_idle_past_the_default_keep_alive_is_still_answered(tmp_path: Path) -> None:
    (tmp_path / "idleapp").mkdir()
    (tmp_path / "idleapp" / "__init__.py").write_text("")
    (tmp_path / "idleapp" / "app.py").write_text(APP)
    port = free_port()
    server = subprocess.Popen(app_command(sys.executable, "idleapp", port), cwd=tmp_path)
    try:
        with _connect(port) as sock:
            assert _exchange(sock).startswith(b"HTTP/1.1 200")
            time.sleep(IDLE_S)
            assert _exchange(sock).startswith(b"HTTP/1.1 200"), "the idle connection was closed"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_image_keeps_idle_connections_as_long_as_the_launcher() -> None:
    argv, _ = serve_command("intake", {"UPONYAJI_ENV": "test"})
    option = argv.index("--timeout-keep-alive")
    assert int(argv[option + 1]) == KEEP_ALIVE_SECONDS > IDLE_S
