"""The 47 counties of the Constitution of Kenya (First Schedule): code → English and Kiswahili."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "sw"]
UNKNOWN = "unknown"

# (English, Kiswahili): the Kiswahili name is given only where it differs from the English one.
COUNTIES: dict[str, tuple[str, str | None]] = {
    "001": ("Mombasa", None),
    "002": ("Kwale", None),
    "003": ("Kilifi", None),
    "004": ("Tana River", "Mto Tana"),
    "005": ("Lamu", None),
    "006": ("Taita-Taveta", None),
    "007": ("Garissa", None),
    "008": ("Wajir", None),
    "009": ("Mandera", None),
    "010": ("Marsabit", None),
    "011": ("Isiolo", None),
    "012": ("Meru", None),
    "013": ("Tharaka-Nithi", None),
    "014": ("Embu", None),
    "015": ("Kitui", None),
    "016": ("Machakos", None),
    "017": ("Makueni", None),
    "018": ("Nyandarua", None),
    "019": ("Nyeri", None),
    "020": ("Kirinyaga", None),
    "021": ("Murang'a", None),
    "022": ("Kiambu", None),
    "023": ("Turkana", None),
    "024": ("West Pokot", "Pokot Magharibi"),
    "025": ("Samburu", None),
    "026": ("Trans Nzoia", None),
    "027": ("Uasin Gishu", None),
    "028": ("Elgeyo-Marakwet", None),
    "029": ("Nandi", None),
    "030": ("Baringo", None),
    "031": ("Laikipia", None),
    "032": ("Nakuru", None),
    "033": ("Narok", None),
    "034": ("Kajiado", None),
    "035": ("Kericho", None),
    "036": ("Bomet", None),
    "037": ("Kakamega", None),
    "038": ("Vihiga", None),
    "039": ("Bungoma", None),
    "040": ("Busia", None),
    "041": ("Siaya", None),
    "042": ("Kisumu", None),
    "043": ("Homa Bay", None),
    "044": ("Migori", None),
    "045": ("Kisii", None),
    "046": ("Nyamira", None),
    "047": ("Nairobi", None),
}
NOT_KNOWN = {"en": "County not known", "sw": "Kaunti haijulikani"}


def name(code: str | None, language: Language = "en") -> str:
    """A county's name in English or Kiswahili ("County not known" for a missing or odd code)."""
    found = COUNTIES.get(code or UNKNOWN)
    if found is None:
        return NOT_KNOWN[language]
    english, kiswahili = found
    return kiswahili if language == "sw" and kiswahili else english
