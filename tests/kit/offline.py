"""A service under test trusts given token keys from a file, and no identity service is reached."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

NOBODY = "http://127.0.0.1:9"  # nothing listens on the discard port


def trust_offline(
    monkeypatch: pytest.MonkeyPatch, folder: Path, prefix: str, jwks: dict[str, Any]
) -> Path:
    """Test mode, `<prefix>_JWKS_FILE` holding `jwks` in `folder`, identity unreachable."""
    path = folder / "jwks.json"
    path.write_text(json.dumps(jwks))
    monkeypatch.setenv("UPONYAJI_ENV", "test")
    monkeypatch.setenv(f"{prefix}_JWKS_FILE", str(path))
    monkeypatch.setenv(f"{prefix}_IDENTITY_URL", NOBODY)
    return path
