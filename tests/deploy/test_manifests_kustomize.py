"""The offline renderer against real kustomize: `kubectl kustomize` must yield the same resources.

The manifest tests validate what tests/deploy/kustomize_lite.py renders. An operator deploys what
real kustomize renders. Where `kubectl` is on PATH, both render each overlay, and the resources
must be the same set (kind, name, namespace) with identical content: namespace, labels, image tags
and every patched field. Without `kubectl` the test is skipped and says so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kustomize_lite import Doc, render

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBECTL = shutil.which("kubectl")


def by_identity(docs: list[Doc]) -> dict[tuple[str, str, str | None], Doc]:
    """Resources keyed by kind, name and namespace (each must be unique)."""
    keyed = {(d["kind"], d["metadata"]["name"], d["metadata"].get("namespace")): d for d in docs}
    assert len(keyed) == len(docs), "two resources share kind, name and namespace"
    return keyed


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH: real kustomize not compared")
@pytest.mark.parametrize("overlay", ["small", "large"])
def test_real_kustomize_renders_what_the_offline_renderer_renders(overlay: str) -> None:
    assert KUBECTL is not None
    folder = K8S / "overlays" / overlay
    built = subprocess.run(
        [KUBECTL, "kustomize", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    real = by_identity([doc for doc in yaml.safe_load_all(built.stdout) if doc])
    lite = by_identity(render(folder))
    assert sorted(real) == sorted(lite)
    assert {key[2] for key in real} == {"uponyaji"}  # the overlay's namespace on everything
    different = sorted(key for key in real if real[key] != lite[key])
    assert different == [], f"rendered differently: {different[:5]}"
    # The patched fields are among what was compared: the overlays do change the base.
    intake = real[("Deployment", "intake", "uponyaji")]
    assert intake["spec"]["replicas"] == {"small": 2, "large": 4}[overlay]
