"""Each service's settings, built from what compose and Kubernetes give it, start in production.

Run in a real container engine, the portal never started: in production its settings require
`PORTAL_KEK_FILE` (the key that encrypts its session cookie), which neither compose nor the
Kubernetes manifests set. Here each service's `Settings` is built from the manifest's
environment alone, in production mode, as the service builds it at start; a required setting
the manifests forget fails here, without a container daemon. (Secret files need not exist for
this: the entry point checks those, and tests/deploy/test_image.py checks the entry point.)
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from kustomize_lite import render
from uponyaji_serve.catalogue import SERVICES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose" / "compose.yaml"
K8S = ROOT / "deploy" / "k8s"


def settings_error(
    service: str, environment: Mapping[str, str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """'' when the service's settings build from `environment` alone, else the error."""
    for variable in list(os.environ):
        monkeypatch.delenv(variable)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = importlib.import_module(f"uponyaji_{service}.settings").Settings
    try:
        settings()
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        return str(error)
    return ""


@pytest.mark.parametrize("service", list(SERVICES))
def test_compose_gives_every_service_what_production_requires(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compose environment of each service builds its settings in production mode."""
    spec = yaml.safe_load(COMPOSE.read_text())["services"][service]
    environment = {name: str(value) for name, value in spec["environment"].items()}
    assert environment["UPONYAJI_ENV"] == "production"
    assert settings_error(service, environment, monkeypatch) == ""


@pytest.mark.parametrize("overlay", ["small", "large"])
def test_kubernetes_gives_every_service_what_production_requires(
    overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each Deployment's container environment builds its service's settings in production."""
    docs = render(K8S / "overlays" / overlay)
    for service in SERVICES:
        (deployment,) = [
            d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == service
        ]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        environment = {v["name"]: str(v["value"]) for v in container["env"] if "value" in v}
        assert environment["UPONYAJI_ENV"] == "production"
        with monkeypatch.context() as patch:
            assert settings_error(service, environment, patch) == "", (overlay, service)
