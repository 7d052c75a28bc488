"""English and Kiswahili: gettext catalogs compiled in memory at start, formats in East Africa Time.

The Kiswahili catalog (`locale/sw/LC_MESSAGES/messages.po`) is the committed source; it is compiled
to a `.mo` in memory when the app starts, so there is no build step and no stale `.mo` to ship.
English is the source language (msgids). The language of a request lives in a context variable.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations
from uponyaji_events.eat import EAT

LANGUAGES = {"en": "English", "sw": "Kiswahili"}
LOCALES = {"en": "en_KE", "sw": "sw_KE"}
LOCALE_DIR = Path(__file__).parent / "locale"

_catalogs: dict[str, NullTranslations] = {"en": NullTranslations()}
_current: ContextVar[str] = ContextVar("portal_language", default="en")


def load_catalogs() -> None:
    """Compile every committed `.po` into translations held in memory."""
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        _catalogs[language] = Translations(fp=buffer)


def use(language: str) -> None:
    """Make `language` the current request's language."""
    _current.set(language if language in LANGUAGES else "en")


def current() -> str:
    """The current request's language code."""
    return _current.get()


def gettext(message: str) -> str:
    """The message in the current language."""
    return _catalogs.get(current(), _catalogs["en"]).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message in the current language."""
    return _catalogs.get(current(), _catalogs["en"]).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def locale() -> Locale:
    """The Babel locale of the current language (Kenyan formats)."""
    return Locale.parse(LOCALES[current()])


def when(value: str | datetime | None) -> str:
    """A moment as a date and time in East Africa Time, in the current language."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(EAT), "medium", tzinfo=EAT, locale=locale()) + " EAT"


def day(value: str | date | None) -> str:
    """A calendar date in the current language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, "medium", locale=locale())


def month(value: str) -> str:
    """A `YYYY-MM` month as its name and year in the current language."""
    try:
        first = date.fromisoformat(f"{value}-01")
    except ValueError:
        return value
    return format_date(first, "MMM y", locale=locale())


def kes(amount: Decimal | int | float | str) -> str:
    """An amount in Kenya shillings in the current language's format."""
    return format_currency(Decimal(str(amount)), "KES", locale=locale())
