"""Each service's committed OpenAPI document (docs/openapi/<service>.json) is the current one."""

from __future__ import annotations

from pathlib import Path

import pytest
from uponyaji_service.openapi import document, render

ROOT = Path(__file__).resolve().parents[3]
SERVICES = sorted(path.parents[1].name for path in ROOT.glob("services/*/uponyaji_*/app.py"))


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
