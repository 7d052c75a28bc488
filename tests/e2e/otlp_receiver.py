"""A minimal OTLP/HTTP receiver for tests: keeps every exported span and metric it is sent.

It speaks the protocol the services' exporters speak (protobuf over HTTP POST to `/v1/traces`
and `/v1/metrics`), so a test sees exactly what an operator's collector would receive.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class Span:
    """One received span: the exporting service, its name, kind and trace."""

    service: str
    name: str
    kind: int
    trace_id: str
    attributes: dict[str, str]


@dataclass
class Received:
    """Everything the receiver was sent so far (raw bodies kept for leak checks)."""

    spans: list[Span] = field(default_factory=list)
    metrics: dict[str, set[str]] = field(default_factory=dict)  # metric name -> services
    raw: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> tuple[list[Span], dict[str, set[str]]]:
        """A consistent copy of the spans and metrics received."""
        with self.lock:
            return list(self.spans), {k: set(v) for k, v in self.metrics.items()}


def _service(resource_attributes: object) -> str:
    for attribute in resource_attributes:  # type: ignore[attr-defined]
        if attribute.key == "service.name":
            return str(attribute.value.string_value)
    return "?"


def _handler(received: Received) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                self._traces(body)
                answer = ExportTraceServiceResponse().SerializeToString()
            elif self.path == "/v1/metrics":
                self._metrics(body)
                answer = ExportMetricsServiceResponse().SerializeToString()
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _traces(self, body: bytes) -> None:
            request = ExportTraceServiceRequest.FromString(body)
            spans = [
                Span(
                    service=_service(rs.resource.attributes),
                    name=span.name,
                    kind=span.kind,
                    trace_id=span.trace_id.hex(),
                    attributes={a.key: str(a.value.string_value) for a in span.attributes},
                )
                for rs in request.resource_spans
                for ss in rs.scope_spans
                for span in ss.spans
            ]
            with received.lock:
                received.raw.append(body)
                received.spans.extend(spans)

        def _metrics(self, body: bytes) -> None:
            request = ExportMetricsServiceRequest.FromString(body)
            with received.lock:
                received.raw.append(body)
                for rm in request.resource_metrics:
                    service = _service(rm.resource.attributes)
                    for sm in rm.scope_metrics:
                        for metric in sm.metrics:
                            received.metrics.setdefault(metric.name, set()).add(service)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads what was received, not the access log."""

    return Handler


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, Received]]:
    """A receiver on a free local port: its base URL and what it receives."""
    received = Received()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(received))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
