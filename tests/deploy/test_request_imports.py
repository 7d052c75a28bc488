"""An HTTP call between services searches for no module once warm (a CPU cost on every request).

A module that is imported inside a function but is not installed is never cached: each call
searches every directory of sys.path again. httpcore (under httpx, the services' and the portal's
HTTP client) tries `import sniffio` on every request; the pinned dependencies must include it.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import asyncio, sys

searched = []

def hook(event, args):
    if event == "import" and armed and args[0] not in sys.modules:
        searched.append(args[0])

armed = False
sys.addaudithook(hook)

import httpx

async def answer(reader, writer):
    while await reader.readline() not in (b"\r\n", b""):
        pass
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
    await writer.drain()
    writer.close()

async def main():
    global armed
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
        await client.get("/")  # warm: first-use imports are fine
        armed = True
        for _ in range(20):
            assert (await client.get("/")).status_code == 200
        armed = False
    server.close()
    print(sorted(set(searched)))

asyncio.run(main())
"""


def test_an_http_call_searches_for_no_module_once_warm() -> None:
    done = subprocess.run(  # a fresh interpreter: audit hooks cannot be removed
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", f"modules searched on every request: {done.stdout}"
