"""`python -m uponyaji_service.openapi <package> <out.json>`: a service's OpenAPI document.

The document is built from the declaration alone (no database is touched): `create_app` with
placeholder settings, then FastAPI's schema with the access library's `x-uponyaji-*` tags.
docs/openapi/<service>.json holds each service's; a test fails when one is stale (`make docs`).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any


def document(package: str) -> dict[str, Any]:
    """The OpenAPI document of the service in `package` (e.g. `uponyaji_intake`)."""
    settings_class = importlib.import_module(f"{package}.settings").Settings
    app_module = importlib.import_module(f"{package}.app")
    settings = settings_class.model_construct(
        # "test": the document needs no secrets, and production would refuse placeholders.
        database_url="postgresql://unused/openapi",
        kek_file=Path("unused.kek"),
        environment="test",
    )
    schema: dict[str, Any] = app_module.create_app(settings).openapi()
    return schema


def file_download(media_type: str, *, binary: bool = False) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route answering a file (CSV, SVG, XLSX): its media type documented."""
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {200: {"content": {media_type: {"schema": schema}}}}


def render(schema: dict[str, Any]) -> str:
    """The document as committed: sorted keys, indent 2, final newline."""
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write one service's document to a file (or stdout without one)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2):
        print("usage: python -m uponyaji_service.openapi <package> [out.json]", file=sys.stderr)
        return 2
    text = render(document(args[0]))
    if len(args) == 2:
        Path(args[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
