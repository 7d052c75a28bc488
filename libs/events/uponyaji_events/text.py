"""Text that UTF-8, PostgreSQL and sealing can all hold: for every free-text request field."""

from __future__ import annotations

from pydantic import AfterValidator


def storable_text(value: str) -> str:
    """Refuse lone surrogates ("\\ud800", valid in JSON) and NUL characters, with a clear reason."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Use as Annotated[str, ..., StorableText]: a 422 naming the field instead of a 500 at the database.
StorableText = AfterValidator(storable_text)
