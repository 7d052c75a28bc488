"""The Kubernetes manifests, rendered offline and validated against the Kubernetes schemas.

Both overlays are rendered (tests/deploy/kustomize_lite.py) and every built-in resource is
validated strictly with kubernetes-validate; the CloudNativePG clusters are validated strictly
against the `Cluster` schema CloudNativePG publishes (tests/deploy/schemas, descriptions removed)
and checked for what the deployment promises (a synchronous standby, passwords from secrets).
The checks below are what an operator relies on: probes, resources, disruption budgets, network
reach, NATS durability.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from kustomize_lite import Doc, render
from uponyaji_launcher.nats import nats_server_binary
from uponyaji_launcher.services import KNOWN_SERVICES
from uponyaji_serve.catalogue import SERVICES, ready_path

ROOT = Path(__file__).resolve().parents[2]
CNPG_CLUSTER = Path(__file__).resolve().parent / "schemas" / "cnpg-cluster-v1.json"
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("small", "large")
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]+:[^/@\s]+@")
NAME = "app.kubernetes.io/name"
WITH_DATABASE = [name for name in SERVICES if name != "portal"]
SOURCES = {spec.name: set(spec.consumes) for spec in KNOWN_SERVICES}


def find(docs: list[Doc], kind: str, name: str) -> Doc:
    """The one resource of this kind and name."""
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name, len(found))
    return found[0]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[Doc]]:
    """(overlay, its rendered resources)."""
    return request.param, render(K8S / "overlays" / request.param)


def test_every_builtin_resource_validates_against_the_kubernetes_schema(
    rendered: tuple[str, list[Doc]],
) -> None:
    """kubernetes-validate, strict (no unknown fields), at the newest schema version it ships."""
    _, docs = rendered
    version = kubernetes_validate.latest_version()
    checked = 0
    for doc in docs:
        if doc["apiVersion"].startswith("postgresql.cnpg.io/"):
            continue  # a custom resource: validated against its own schema below
        kubernetes_validate.validate(doc, version, strict=True)
        checked += 1
    assert checked > 40


def strict(schema: Any) -> Any:
    """A CRD's OpenAPI schema as JSON Schema that refuses unknown fields, as the API server does
    with strict field validation (fields the schema leaves open stay open)."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    closed = out.get("type") == "object" and isinstance(out.get("properties"), dict)
    open_ended = "additionalProperties" in out or out.get("x-kubernetes-preserve-unknown-fields")
    if closed and not open_ended:
        out["additionalProperties"] = False
    return out


@pytest.fixture(scope="module")
def cluster_schema() -> jsonschema.Draft4Validator:
    """A validator of CloudNativePG `Cluster` resources (postgresql.cnpg.io/v1)."""
    published = json.loads(CNPG_CLUSTER.read_text())
    assert published["apiVersion"] == "postgresql.cnpg.io/v1"
    return jsonschema.Draft4Validator(strict(published["openAPIV3Schema"]))


def test_every_database_cluster_validates_against_the_cloudnativepg_schema(
    rendered: tuple[str, list[Doc]], cluster_schema: jsonschema.Draft4Validator
) -> None:
    """Every `Cluster` holds only fields CloudNativePG knows, of the right types (its CEL rules
    are the operator's to check and are not evaluated here)."""
    _, docs = rendered
    clusters = [d for d in docs if d["apiVersion"] == "postgresql.cnpg.io/v1"]
    assert {d["kind"] for d in clusters} == {"Cluster"}
    assert len(clusters) == len(WITH_DATABASE)
    for cluster in clusters:
        errors = [e.message for e in cluster_schema.iter_errors(cluster)]
        assert not errors, (cluster["metadata"]["name"], errors[:5])
    # ...and the check does refuse what the operator would: a misspelt and a mistyped field.
    broken = copy.deepcopy(clusters[0])
    broken["spec"]["instance"] = broken["spec"].pop("instances")
    assert not cluster_schema.is_valid(broken)
    mistyped = copy.deepcopy(clusters[0])
    mistyped["spec"]["postgresql"]["synchronous"]["number"] = "one"
    assert not cluster_schema.is_valid(mistyped)


def test_every_service_has_probes_resources_a_budget_and_a_hardened_pod(
    rendered: tuple[str, list[Doc]],
) -> None:
    """Deployments with startup/readiness/liveness probes, memory limits, ≥2 pods behind a PDB,
    non-root read-only containers, and secrets copied from mounted files (none in env values)."""
    overlay, docs = rendered
    for name in SERVICES:
        deployment = find(docs, "Deployment", name)
        assert deployment["metadata"]["namespace"] == "uponyaji"
        spec = deployment["spec"]
        assert spec["replicas"] >= 2
        pod = spec["template"]["spec"]
        (container,) = pod["containers"]
        assert container["args"] == [name]
        assert container["image"] == "uponyaji:0.1.0"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in container, (name, probe)
        assert container["readinessProbe"]["httpGet"]["path"] == ready_path(name)
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["limits"]["memory"]
        for each in [*pod["initContainers"], container]:
            context = each["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["runAsNonRoot"] is True
            assert context["capabilities"]["drop"] == ["ALL"]
        assert pod["automountServiceAccountToken"] is False
        for variable in container["env"]:
            assert (
                "://" not in variable["value"]
                or "@" not in variable["value"].split("/")[2]
                or (":" not in variable["value"].split("@")[0].split("//")[1])
            ), (name, variable["name"])  # a user in a URL, never a password
        budget = find(docs, "PodDisruptionBudget", name)
        assert budget["spec"]["selector"]["matchLabels"][NAME] == name
    assert not [d for d in docs if d["kind"] == "Secret"], f"{overlay}: secrets are made, not kept"


def test_every_service_gets_the_audit_key_and_a_notary_heads_file_on_its_own_claim(
    rendered: tuple[str, list[Doc]],
) -> None:
    """What production mode requires of every service built by the factory: the deployment's one
    audit key, from one Secret copied in as a private file, and a notary heads file on a
    PersistentVolumeClaim of the service's own, mounted by every pod (one file for all replicas)
    and present before the service starts."""
    _, docs = rendered
    for name in WITH_DATABASE:
        pod = find(docs, "Deployment", name)["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {v["name"]: v["value"] for v in container["env"]}
        assert env["UPONYAJI_AUDIT_KEY_FILE"] == "/run/secrets/audit.key", name
        volumes = {v["name"]: v for v in pod["volumes"]}
        sources = volumes["secrets-src"]["projected"]["sources"]
        assert {
            "secret": {
                "name": "uponyaji-audit-key",
                "items": [{"key": "audit.key", "path": "audit.key"}],
            }
        } in sources, name
        heads = Path(env[f"{name.upper()}_NOTARY_HEADS_FILE"])
        claim = volumes["notary"]["persistentVolumeClaim"]["claimName"]
        assert claim == f"{name}-notary"
        pvc = find(docs, "PersistentVolumeClaim", claim)
        assert pvc["metadata"]["namespace"] == "uponyaji"
        assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]  # every replica appends to it
        (init,) = pod["initContainers"]
        for each in (container, init):
            mounts = {m["name"]: m for m in each["volumeMounts"]}
            assert mounts["notary"]["mountPath"] == str(heads.parent), (name, each["name"])
            assert not mounts["notary"].get("readOnly", False)
        assert f"touch {heads}" in init["command"][-1]
    portal = find(docs, "Deployment", "portal")["spec"]["template"]["spec"]["containers"][0]
    assert "UPONYAJI_AUDIT_KEY_FILE" not in {v["name"] for v in portal["env"]}


def reached(policy: Doc) -> set[str]:
    """The app names (or `<name>-db` clusters) a NetworkPolicy lets its pods reach."""
    out: set[str] = set()
    for rule in policy["spec"].get("egress", []):
        for peer in rule.get("to", []):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            out.add(labels.get(NAME) or labels.get("cnpg.io/cluster", "?"))
    return out


def test_services_reach_only_nats_their_own_database_identity_and_their_sources(
    rendered: tuple[str, list[Doc]],
) -> None:
    """Egress of each service: NATS, its own database, identity, the collector, and the feeds of
    the services whose events it consumes; each database admits only its own service."""
    _, docs = rendered
    find(docs, "NetworkPolicy", "default-deny")
    for name in WITH_DATABASE:
        allowed = {"nats", f"{name}-db", "identity", "otel-collector"} | SOURCES[name]
        reach = reached(find(docs, "NetworkPolicy", name))
        assert reach <= allowed, (name, reach - allowed)
        assert {"nats", f"{name}-db"} <= reach
        if name != "identity":
            assert "identity" in reach
        for other in WITH_DATABASE:
            assert other == name or f"{other}-db" not in reach
        admits = find(docs, "NetworkPolicy", f"{name}-db")["spec"]["ingress"][0]["from"]
        assert admits == [
            {"podSelector": {"matchLabels": {NAME: name, "app.kubernetes.io/part-of": "uponyaji"}}}
        ]
    portal = reached(find(docs, "NetworkPolicy", "portal"))
    assert not any(target.endswith("-db") for target in portal)
    assert "nats" not in portal


def test_nats_is_three_durable_nodes_that_lose_at_most_one_at_a_time(
    rendered: tuple[str, list[Doc]], tmp_path: Path
) -> None:
    """A 3-replica StatefulSet with anti-affinity, a PDB of one, and a configuration that
    nats-server accepts, with every write synced before it is acknowledged."""
    _, docs = rendered
    nats = find(docs, "StatefulSet", "nats")
    assert nats["spec"]["replicas"] == 3
    assert nats["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert find(docs, "PodDisruptionBudget", "nats")["spec"]["maxUnavailable"] == 1
    conf = find(docs, "ConfigMap", "nats-config")["data"]["nats.conf"]
    assert "sync_interval: always" in conf
    (tmp_path / "nats.conf").write_text(conf.replace("store_dir: /data", f"store_dir: {tmp_path}"))
    (tmp_path / "users.conf").write_text("authorization { users: [{user: a, password: b}] }\n")
    done = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(tmp_path / "nats.conf")],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
        env={**os.environ, "POD_NAME": "nats-0"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in WITH_DATABASE:
        env = {
            v["name"]: v["value"]
            for v in find(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0][
                "env"
            ]
        }
        assert env["UPONYAJI_NATS_STREAM_REPLICAS"] == "3"
        assert env[f"{name.upper()}_NATS_URL"].count("nats://") == 3


def test_each_service_database_is_a_cluster_with_a_synchronous_standby(
    rendered: tuple[str, list[Doc]],
) -> None:
    """One CloudNativePG Cluster per service: ≥2 instances, a required synchronous standby, the
    service's owner and runtime roles with passwords from secrets."""
    overlay, docs = rendered
    for name in WITH_DATABASE:
        cluster = find(docs, "Cluster", f"{name}-db")["spec"]
        assert cluster["instances"] >= (3 if overlay == "large" else 2)
        sync = cluster["postgresql"]["synchronous"]
        assert sync["number"] >= 1
        assert sync["dataDurability"] == "required"
        assert cluster["postgresql"]["parameters"]["synchronous_commit"] == "on"
        initdb = cluster["bootstrap"]["initdb"]
        assert (initdb["database"], initdb["owner"]) == (name, f"{name}_owner")
        assert initdb["secret"]["name"] == f"{name}-db-owner"
        (role,) = cluster["managed"]["roles"]
        assert role["name"] == f"{name}_app"
        assert role["superuser"] is False
        assert role["passwordSecret"]["name"] == f"{name}-db-app"


def test_the_large_site_runs_more_of_everything_than_the_small() -> None:
    """The overlays differ where sizing matters: pods, database instances and NATS memory."""
    small, large = (render(K8S / "overlays" / overlay) for overlay in OVERLAYS)

    def pods(docs: list[Doc], name: str) -> Any:
        return find(docs, "Deployment", name)["spec"]["replicas"]

    for name in SERVICES:
        assert pods(large, name) > pods(small, name), name
    assert (
        find(large, "Cluster", "intake-db")["spec"]["instances"]
        > find(small, "Cluster", "intake-db")["spec"]["instances"]
    )
