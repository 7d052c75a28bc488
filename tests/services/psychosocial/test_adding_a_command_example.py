"""Runs the example test of docs/adding-a-command.md exactly as the guide prints it."""

from __future__ import annotations

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "adding-a-command.md"
BLOCK = re.compile(r"<!-- example: tests/services/psychosocial -->\n```python\n(.*?)```", re.DOTALL)

_match = BLOCK.search(GUIDE.read_text(encoding="utf-8"))
assert _match is not None, "docs/adding-a-command.md lost its example test"
# The guide is part of this repository: running its own example is the point.
exec(compile(_match.group(1), str(GUIDE), "exec"))  # noqa: S102
