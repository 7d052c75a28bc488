"""docs/adding-a-command.md stays true: each excerpt is found, in order, in the file it names."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "adding-a-command.md"
EXCERPT = re.compile(r"<!-- from: (\S+) -->\n```\w*\n(.*?)```", re.DOTALL)


def excerpts() -> list[tuple[str, list[str]]]:
    """(file, non-blank lines) for every excerpt the guide quotes."""
    text = GUIDE.read_text(encoding="utf-8")
    return [
        (name, [line.strip() for line in body.splitlines() if line.strip()])
        for name, body in EXCERPT.findall(text)
    ]


def test_the_guide_walks_all_seven_places() -> None:
    """Contract, decide, handler, route, policy, projection and test are all quoted."""
    files = {name for name, _ in excerpts()}
    assert len(files) >= 8
    assert any("contracts/" in f for f in files)
    assert any(f.endswith("decide.py") for f in files)
    assert any("handlers/" in f for f in files)
    assert any(f.endswith("api.py") for f in files)
    assert any(f.endswith("policy.toml") for f in files)
    assert any(f.endswith("projections.py") for f in files)
    assert "<!-- example: tests/services/psychosocial -->" in GUIDE.read_text(encoding="utf-8")


def test_every_excerpt_is_in_its_file_in_order() -> None:
    """A renamed function, moved line or edited message makes the guide fail here."""
    missing = []
    for name, lines in excerpts():
        source = [line.strip() for line in (ROOT / name).read_text(encoding="utf-8").splitlines()]
        at = 0
        for line in lines:
            try:
                at = source.index(line, at) + 1
            except ValueError:
                missing.append(f"{name}: {line}")
    assert missing == []
