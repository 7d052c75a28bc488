"""The path every health check probes is one each service's app serves.

Run in a real container engine, the portal never turned healthy: compose's health check
(`uponyaji-serve probe portal`) and the Kubernetes readiness probe asked it for `/ready`, a page
it does not have (it answers `/health`; it owns no database or stream to wait for). Here each
service's app is built (not started) and its routes must hold the path the probes use.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from kustomize_lite import render
from starlette.routing import Route
from uponyaji_serve.catalogue import SERVICES, ready_path
from uponyaji_service.openapi import document

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", list(SERVICES))
def test_the_probed_path_is_a_route_of_the_service(service: str, tmp_path: Path) -> None:
    """The app `create_app` builds (placeholder settings, nothing started) has a GET route at
    the service's readiness path."""
    if service == "portal":
        from uponyaji_portal.app import create_app
        from uponyaji_portal.settings import Settings

        kek = tmp_path / "portal.kek"
        kek.write_bytes(base64.b64encode(bytes(32)))
        kek.chmod(0o600)
        app = create_app(Settings(UPONYAJI_ENV="test", kek_file=kek))
        paths = {
            route.path
            for route in app.routes
            if isinstance(route, Route) and "GET" in (route.methods or set())
        }
    else:
        served = document(f"uponyaji_{service}")["paths"]
        paths = {path for path, operations in served.items() if "get" in operations}
    assert ready_path(service) in paths, sorted(paths)


def test_compose_and_kubernetes_probe_the_readiness_path() -> None:
    """Compose's health check is the entry point's probe (its default path); every Deployment's
    startup and readiness probes GET the service's readiness path."""
    compose = yaml.safe_load((ROOT / "deploy" / "compose" / "compose.yaml").read_text())
    for service in SERVICES:
        check = compose["services"][service]["healthcheck"]["test"]
        assert check == ["CMD", "uponyaji-serve", "probe", service], service
    for overlay in ("small", "large"):
        docs = render(ROOT / "deploy" / "k8s" / "overlays" / overlay)
        for service in SERVICES:
            (deployment,) = [
                d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == service
            ]
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            for probe in ("startupProbe", "readinessProbe"):
                assert container[probe]["httpGet"]["path"] == ready_path(service), (
                    overlay,
                    service,
                    probe,
                )
