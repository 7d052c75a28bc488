"""The message catalog: extract every message from code and templates, and update the `.po`.

`python -m uponyaji_portal.catalog` rewrites `locale/sw/LC_MESSAGES/messages.po` so it holds
exactly the messages the portal uses (new ones empty, stale ones dropped, translations kept); a
translator then fills in the empty ones. The test of the catalog fails while any is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
PO = HERE / "locale" / "sw" / "LC_MESSAGES" / "messages.po"
METHODS = [
    ("locale/**", "ignore"),
    ("**.py", "python"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
]
OPTIONS = {
    "templates/**.html": {
        "trim_blocks": "true",
        "lstrip_blocks": "true",
        "newstyle_gettext": "true",
    }
}


def extract() -> dict[str | tuple[str, str], list[tuple[str, int]]]:
    """Every message the portal's code and templates use, with where it is used."""
    found: dict[str | tuple[str, str], list[tuple[str, int]]] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        HERE,
        METHODS,
        OPTIONS,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    ):
        key = message if isinstance(message, str) else (message[0], message[1])
        found.setdefault(key, []).append((filename, line))
    return found


def read() -> Catalog:
    """The committed Kiswahili catalog."""
    with PO.open("rb") as source:
        return read_po(source, locale="sw")


def update() -> tuple[int, int]:
    """Rewrite the `.po` with the messages in use; (new, dropped) counts."""
    old = read() if PO.exists() else Catalog(locale="sw")
    new = Catalog(locale="sw", project="Uponyaji portal", fuzzy=False)
    used = extract()
    added = 0
    for key, where in used.items():
        msgid = key
        previous = old.get(key[0] if isinstance(key, tuple) else key)
        kept = previous.string if previous is not None else ""
        string: str | tuple[str, ...] = tuple(kept) if isinstance(kept, list) else (kept or "")
        if previous is None:
            added += 1
        if isinstance(key, tuple) and not string:
            string = ("", "")
        new.add(msgid, string, locations=where)
    dropped = sum(1 for message in old if message.id and message.id not in new)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as out:
        write_po(out, new, width=100, sort_output=True)
    return added, dropped


if __name__ == "__main__":
    added, dropped = update()
    sys.stdout.write(f"{PO}: {added} new (untranslated), {dropped} stale dropped\n")
