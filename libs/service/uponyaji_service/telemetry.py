"""OpenTelemetry for real: providers from the standard `OTEL_*` variables, exported over OTLP.

A service process calls `install_telemetry` once (the factory does, in `create_app`). When an
OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`, or the per-signal
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `..._METRICS_ENDPOINT`) and `OTEL_SDK_DISABLED` is not
`true`, it installs a tracer provider (batch export of spans) and a meter provider (periodic
export of the kernel's metrics) and instruments asyncpg and httpx. Everything else — sampler,
headers, timeouts, resource attributes, `OTEL_SERVICE_NAME` — is read by the SDK from the same
standard variables. With no endpoint nothing is installed and the spans and metrics stay no-ops.

`instrument_app` adds the HTTP server span to an app when a real tracer provider is installed
(by this module or by a test), so that a request, the events it appends, their publication and
every consumer's application of them share one trace. Probes are not traced. Spans carry ids,
routes and event types, never survivor data: the instrumentation records no bodies or headers.

FastAPI's own request telemetry is switched off in every app (`FASTAPI_TELEMETRY`): the
instrumentor above gives the one server span. FastAPI's would record log records of validation
failures and exceptions with their messages (which could carry what a request sent), add
exporters of its own when `FASTAPI_OTEL_AUTO_CONFIGURE` is set, and make a `DirectRoute` hand
every request to FastAPI's handler; version 0.163 stands aside by itself when it finds the
instrumentor's middleware, a private check this does not rely on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import (
    SERVICE_NAME,
    SERVICE_NAMESPACE,
    OTELResourceDetector,
    Resource,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

ENDPOINT_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
)
UNTRACED_URLS = "/live,/ready,/health"
FASTAPI_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


@dataclass(frozen=True)
class Telemetry:
    """The providers installed in this process (flushed and stopped by `shutdown`)."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        """Export what is buffered and stop the exporters."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


_installed: list[Telemetry] = []


def export_configured(environ: Mapping[str, str]) -> bool:
    """Whether the standard variables ask for OTLP export (an endpoint set, the SDK not off)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def resource_for(service: str) -> Resource:
    """The resource every span and metric of `service` carries (`OTEL_*` attributes win)."""
    defaults = {SERVICE_NAME: f"uponyaji-{service}", SERVICE_NAMESPACE: "uponyaji"}
    return Resource.create(defaults).merge(OTELResourceDetector().detect())


def install_telemetry(service: str, environ: Mapping[str, str] | None = None) -> Telemetry | None:
    """Install OTLP-exporting tracer and meter providers once per process (None: not configured)."""
    if _installed:
        return _installed[0]
    if not export_configured(os.environ if environ is None else environ):
        return None
    resource = resource_for(service)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    reader = PeriodicExportingMetricReader(OTLPMetricExporter())
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]  # its __init__ is untyped
    HTTPXClientInstrumentor().instrument()
    telemetry = Telemetry(tracer_provider, meter_provider)
    _installed.append(telemetry)
    return telemetry


def tracing_installed() -> bool:
    """Whether a real (SDK) tracer provider is installed in this process."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


def instrument_app(app: FastAPI) -> bool:
    """Trace the app's requests when a real tracer provider is installed (True if it did)."""
    if not tracing_installed():
        return False
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=UNTRACED_URLS, exclude_spans=["receive", "send"]
    )
    return True
