"""Each service's committed OpenAPI document (docs/openapi/<service>.json) is the current one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from uponyaji_service.openapi import document, render

ROOT = Path(__file__).resolve().parents[3]
NOT_API = {"portal"}  # web pages over the services' APIs: no API of its own to document
SERVICES = sorted(
    path.parents[1].name
    for path in ROOT.glob("services/*/uponyaji_*/app.py")
    if path.parents[1].name not in NOT_API
)


def test_every_service_is_found() -> None:
    assert {"identity", "intake", "psychosocial", "reporting"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_docs_openapi_is_the_generated_document(service: str) -> None:
    committed = ROOT / "docs" / "openapi" / f"{service}.json"
    generated = render(document(f"uponyaji_{service}"))
    assert committed.is_file(), f"docs/openapi/{service}.json is missing: run make docs"
    assert committed.read_text("utf-8") == generated, (
        f"docs/openapi/{service}.json is stale: run make docs"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_but_the_probes_is_tagged_with_its_access(service: str) -> None:
    schema = document(f"uponyaji_{service}")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path in ("/live", "/ready", "/health", "/.well-known/jwks.json"):
                continue
            assert "x-uponyaji-auth" in operation or path.startswith("/auth/"), (method, path)


def _loose(schema: dict[str, Any]) -> bool:
    """True for a body schema that says nothing: `{}` or an object of anything."""
    if not schema:
        return True
    if "$ref" in schema or "properties" in schema or "anyOf" in schema or "items" in schema:
        return False
    return schema.get("type") == "object" and schema.get("additionalProperties", True) in (True, {})


@pytest.mark.parametrize("service", SERVICES)
def test_every_success_response_declares_its_body(service: str) -> None:
    """Every 2xx body is declared: a JSON schema, or the media type of a file."""
    schema = document(f"uponyaji_{service}")
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith("2") or status == "204":
                    continue
                content = response.get("content") or {}
                if not content:
                    missing.append(f"{method.upper()} {path} {status}: no media type")
                body = content.get("application/json")
                if body is not None and _loose(body.get("schema") or {}):
                    missing.append(f"{method.upper()} {path} {status}: JSON without a schema")
    assert not missing, missing
