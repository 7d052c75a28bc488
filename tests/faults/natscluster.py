"""A three-node NATS JetStream cluster on loopback (one nats-server process per node), for tests.

Each node has its own client, route and monitoring ports and store directory; JetStream writes
with `sync_interval: always` (every acknowledged write is on disk), as production runs it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
from uponyaji_launcher.nats import nats_server_binary
from uponyaji_launcher.ports import free_port, wait_for_port

CLUSTER = "uponyaji"


@dataclass
class ClusterNode:
    """One nats-server of the cluster."""

    name: str
    folder: Path
    client_port: int = field(default_factory=free_port)
    route_port: int = field(default_factory=free_port)
    monitor_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """Client URL of this node."""
        return f"nats://127.0.0.1:{self.client_port}"

    def config(self, routes: list[int]) -> dict[str, object]:
        """This node's nats-server configuration (JSON is valid nats-server syntax)."""
        return {
            "server_name": self.name,
            "host": "127.0.0.1",
            "port": self.client_port,
            "http_port": self.monitor_port,
            "jetstream": {"store_dir": str(self.folder / "store"), "sync_interval": "always"},
            "cluster": {
                "name": CLUSTER,
                "host": "127.0.0.1",
                "port": self.route_port,
                "routes": [f"nats-route://127.0.0.1:{port}" for port in routes],
            },
        }

    def start(self, routes: list[int], timeout: float = 30) -> None:
        """Start the node (its config rewritten) and wait until it accepts clients."""
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "nats.conf"
        config.write_text(json.dumps(self.config(routes), indent=2))
        log = (self.folder / "nats.log").open("ab")
        self.process = subprocess.Popen(
            [str(nats_server_binary()), "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not wait_for_port(self.client_port, 0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"NATS node {self.name} did not start; see {self.folder}")

    def kill(self) -> None:
        """SIGKILL: the node dies as in a crash or power loss of its process."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        """SIGTERM and wait: a clean shutdown (as a rolling restart does)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def varz(self) -> dict[str, object]:
        """The node's /varz monitoring document (its effective configuration)."""
        response = httpx.get(f"http://127.0.0.1:{self.monitor_port}/varz", timeout=5)
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return body


@dataclass
class NatsCluster:
    """Three nodes routed to each other; `url` lists every node for clients."""

    folder: Path
    nodes: list[ClusterNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.nodes:
            self.nodes = [ClusterNode(f"n{i}", self.folder / f"n{i}") for i in (1, 2, 3)]

    @property
    def url(self) -> str:
        """Every node's client URL, comma-separated (what services are given)."""
        return ",".join(node.url for node in self.nodes)

    def node(self, name: str) -> ClusterNode:
        """The node called `name`."""
        return next(node for node in self.nodes if node.name == name)

    def start(self, node: ClusterNode | None = None) -> None:
        """Start one node (or every node) with routes to the others."""
        for each in [node] if node is not None else self.nodes:
            each.start([other.route_port for other in self.nodes if other is not each])

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            node.stop()

    async def wait_ready(self, seconds: float = 60) -> None:
        """Wait until JetStream answers through the cluster (a meta leader is elected)."""
        nc = await nats.connect(servers=[n.url for n in self.nodes if n.process is not None])
        try:
            js = nc.jetstream()
            deadline = time.monotonic() + seconds
            while True:
                try:
                    await js.account_info()
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.2)
        finally:
            await nc.close()

    async def stream_leader(self, stream: str) -> tuple[str, int]:
        """(leader node name, replica count) of a stream."""
        nc = await nats.connect(servers=[n.url for n in self.nodes if n.process is not None])
        try:
            info = await nc.jetstream().stream_info(stream)
        finally:
            await nc.close()
        assert info.cluster is not None, f"{stream} is not clustered"
        replicas = 1 + len(info.cluster.replicas or [])
        return str(info.cluster.leader), replicas
