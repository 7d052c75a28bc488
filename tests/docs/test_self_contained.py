"""The repository explains itself: nothing in it cites a document outside it or an issue number."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What a reader with only a clone cannot follow: design notes kept elsewhere (by name or by
# section number), paths into a sibling directory, and tracker numbers.
FORBIDDEN = re.compile(
    r"\b(?!README\.md)[A-Z][A-Z0-9_]*[A-Z0-9]\.md\b"  # an upper-case note kept elsewhere
    r"|(?<!RFC \d{4} )(?<!RFC \d{3} )§\s*\d"  # a section number of something not named
    r"|\.\./shared/|/work/shared"  # a sibling directory
    r"|\b[Ii]ssues? #?\d+|\b[Ii]ssues \d+ and \d+"  # "issue 4", "issues 3 and 4"
    r"|\(#\d+\)|\b(?:PR|pull request|see|fixes|closes) #\d+",  # "(#12)", "see #12"
)

# Files whose text is data, not prose (a password list contains "#123" as a password), and this
# guard, which has to spell out what it looks for.
DATA_FILES = {
    "tests/docs/test_self_contained.py",
    "services/identity/uponyaji_identity/security/common_passwords.txt",
    "services/identity/uponyaji_identity/security/wordlist.py",
}
TEXT_SUFFIXES = {".py", ".md", ".json", ".toml", ".sql", ".txt", ".html", ".yaml", ".yml", ".cfg"}
OTHER_TEXT = {"Makefile", "Dockerfile"}


def tracked_text_files() -> list[Path]:
    """The repository's tracked text files (git's list; the tree itself without git)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        paths = [ROOT / name for name in listed]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules"}
        paths = [p for p in ROOT.rglob("*") if not skip & set(p.relative_to(ROOT).parts)]
    return [
        p
        for p in paths
        if p.is_file()
        and (p.suffix in TEXT_SUFFIXES or p.name in OTHER_TEXT)
        and p.relative_to(ROOT).as_posix() not in DATA_FILES
    ]


def test_the_pattern_catches_what_it_should_and_spares_standards() -> None:
    """The guard flags outside references and lets cited standards through."""
    flagged = [
        "see DESIGN §3",
        "house rules (RULES.md)",
        "SCALES.md identifiers",
        "issue 4",
        "issues 3 and 4",
        "fixed in (#12)",
        "the rules of §3",
        "../shared/domain/NOTES.md",
    ]
    spared = [
        "RFC 6238 §5.2",
        "RFC 4648 §5",
        "RFC 9162",
        "ICD-11",
        "Istanbul Protocol",
        "README.md",
        "docs/access.md § Audit",
        "#767676",
        "KENYA_POLICE_SERVICE",
    ]
    assert [t for t in flagged if not FORBIDDEN.search(t)] == []
    assert [t for t in spared if FORBIDDEN.search(t)] == []


def test_nothing_cites_a_document_outside_the_repository_or_an_issue_number() -> None:
    """Code, comments, docs and generated documents cite only what a clone contains."""
    files = tracked_text_files()
    assert len(files) > 100, "the file list is suspiciously short"
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            match = FORBIDDEN.search(line)
            if match:
                found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    assert found == [], "\n".join(found)
