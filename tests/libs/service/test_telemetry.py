"""When a service exports telemetry, and what it calls itself (the standard `OTEL_*` variables)."""

from __future__ import annotations

import pytest
from uponyaji_service.telemetry import export_configured, resource_for


@pytest.mark.parametrize(
    ("environ", "exports"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://collector:4318/v1/metrics"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "  "}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "TRUE "}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "false"}, True),
    ],
)
def test_export_happens_only_when_an_endpoint_is_set_and_the_sdk_is_not_disabled(
    environ: dict[str, str], exports: bool
) -> None:
    assert export_configured(environ) is exports


def test_a_service_is_named_for_itself_unless_the_operator_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging")
    attributes = resource_for("medical").attributes
    assert attributes["service.name"] == "uponyaji-medical"
    assert attributes["service.namespace"] == "uponyaji"
    assert attributes["deployment.environment"] == "staging"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "medical-nairobi")
    assert resource_for("medical").attributes["service.name"] == "medical-nairobi"
