"""The ICD-11 subset shipped with the service (data/icd11_subset.json): code → title and kind."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class Icd11Entry:
    """One code of the subset."""

    code: str
    title: str
    kind: str  # physical | mental | cause


@functools.cache
def table() -> dict[str, Icd11Entry]:
    """Every code of the shipped subset (read once)."""
    text = resources.files("uponyaji_medical").joinpath("data/icd11_subset.json").read_text()
    return {
        row["code"]: Icd11Entry(row["code"], row["title"], row["kind"])
        for row in json.loads(text)["codes"]
    }


def title(code: str) -> str | None:
    """The title of a code, or None if the subset does not have it."""
    entry = table().get(code)
    return entry.title if entry is not None else None
