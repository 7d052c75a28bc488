"""Render a kustomization offline: the subset of kustomize the Uponyaji manifests use.

Supported: `resources` (files and directories with their own kustomization), `namespace`,
`labels` (metadata only), `images` (new tag by image name) and `patches` with a `target`
(kind, name, optional group) and a JSON 6902 patch (add, replace, remove). Anything else in a
kustomization is refused, so a manifest that needs real kustomize cannot pass here unnoticed.
`kubectl kustomize <dir>` renders the same manifests on a machine that has it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Doc = dict[str, Any]
KNOWN = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}


class Unsupported(ValueError):
    """The kustomization uses a feature this renderer does not implement."""


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def _apply_op(doc: Doc, op: dict[str, Any]) -> None:
    *parents, last = _pointer(op["path"])
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if op["op"] in ("replace", "add"):
        if isinstance(node, list):
            index = len(node) if last == "-" else int(last)
            if op["op"] == "add":
                node.insert(index, op["value"])
            else:
                node[index] = op["value"]
        else:
            if op["op"] == "replace" and last not in node:
                raise KeyError(f"replace of a missing {op['path']}")
            node[last] = op["value"]
    elif op["op"] == "remove":
        del node[int(last) if isinstance(node, list) else last]
    else:
        raise Unsupported(f"patch op {op['op']!r}")


def _matches(doc: Doc, target: dict[str, Any]) -> bool:
    group = doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""
    return (
        target.get("kind", doc["kind"]) == doc["kind"]
        and target.get("name", doc["metadata"]["name"]) == doc["metadata"]["name"]
        and target.get("group", group) == group
    )


def _images(doc: Doc, images: list[dict[str, str]]) -> None:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        name = container["image"].rsplit(":", 1)[0]
        for image in images:
            if image["name"] == name:
                container["image"] = f"{image.get('newName', name)}:{image['newTag']}"


def render(folder: Path) -> list[Doc]:
    """Every resource the kustomization in `folder` produces, with its transformations applied."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KNOWN
    if unknown:
        raise Unsupported(f"{folder}: {', '.join(sorted(unknown))}")
    docs: list[Doc] = []
    for resource in kustomization.get("resources", []):
        path = (folder / resource).resolve()
        if path.is_dir():
            docs += render(path)
        else:
            docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    for doc in docs:
        if "namespace" in kustomization and doc["kind"] not in CLUSTER_SCOPED:
            doc["metadata"]["namespace"] = kustomization["namespace"]
        for label in kustomization.get("labels", []):
            if label.get("includeSelectors"):
                raise Unsupported("labels with includeSelectors")
            doc["metadata"].setdefault("labels", {}).update(label["pairs"])
        _images(doc, kustomization.get("images", []))
    for patch in kustomization.get("patches", []):
        ops = yaml.safe_load(patch["patch"])
        targets = [doc for doc in docs if _matches(doc, patch["target"])]
        if not targets:
            raise KeyError(f"{folder}: patch target {patch['target']} matches nothing")
        for doc in targets:
            for op in ops:
                _apply_op(doc, op)
    return docs
