"""The bundled list of common passwords, generated from well-known patterns (no network).

`common_passwords.txt` beside this module is the output of `python -m identity.security.wordlist`:
the most-used passwords of public breach statistics, local words (places, names, faith, greetings)
and the ways people stretch them to a length rule (digits, years, symbols, repetition). Only
entries of 12 characters or more are kept, since shorter passwords are refused anyway.
"""

from __future__ import annotations

import itertools
import sys

MIN_LENGTH = 12

# fmt: off
BASE_WORDS: tuple[str, ...] = (
    # globally most-used passwords and their stems
    "password", "passw0rd", "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "iloveyou",
    "welcome", "admin", "administrator", "letmein", "monkey", "dragon", "football", "baseball",
    "soccer", "sunshine", "princess", "shadow", "master", "superman", "batman", "trustno1",
    "whatever", "freedom", "starwars", "michael", "jennifer", "jordan", "hunter", "charlie",
    "computer", "internet", "changeme", "default", "secret", "login", "access", "hello", "summer",
    "winter", "spring", "autumn", "ninja", "mustang", "cheese", "chocolate", "pokemon",
    "liverpool", "arsenal", "chelsea", "manchester", "barcelona", "madrid", "flower", "lovely",
    "loveme", "iloveu", "forever", "angel", "babygirl", "sweetheart", "family", "money", "friends",
    "secure", "security", "system", "server", "database", "temp", "test", "guest", "user",
    "office", "company", "business", "account", "passport", "letmein1", "abc123", "qazwsx",
    "1qaz2wsx", "zaq12wsx", "q1w2e3r4", "1q2w3e4r", "123qwe", "qwe123", "asd123",
    # months and days
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
    # faith
    "jesus", "jesuschrist", "jesusislord", "godisgood", "godislove", "blessed", "blessing",
    "christ", "faith", "grace", "mercy", "amen", "hallelujah", "praise", "allah", "bismillah",
    # Kenya: places, words, brands
    "kenya", "kenyan", "africa", "nairobi", "mombasa", "kisumu", "nakuru", "eldoret", "thika",
    "malindi", "kitale", "garissa", "nyeri", "machakos", "meru", "kakamega", "kericho", "lamu",
    "naivasha", "westlands", "kibera", "mathare", "eastleigh", "kilimani", "karen", "safaricom",
    "mpesa", "airtel", "equity", "harambee", "jambo", "karibu", "asante", "hakunamatata", "uhuru",
    "simba", "tembo", "chui", "rafiki", "mpenzi", "nakupenda", "mungu", "baraka", "amani",
    "upendo", "furaha", "tumaini", "kenya254", "254kenya",
    # this organisation and its work
    "uponyaji", "healing", "survivor", "counsellor", "counselor", "clinician", "doctor", "nurse",
    "clinic", "hospital", "rehab", "rehabilitation", "justice", "humanrights", "torture", "intake",
    "medical", "legal", "lawyer", "advocate", "empowerment", "programme", "program", "reporting",
    "identity", "staff", "director", "manager", "officer", "ngo", "charity",
    # common first and family names
    "john", "mary", "peter", "james", "david", "joseph", "daniel", "paul", "samuel", "brian",
    "kevin", "dennis", "collins", "victor", "felix", "george", "stephen", "moses", "esther",
    "ruth", "sarah", "faith", "joy", "purity", "mercy", "naomi", "ann", "jane", "lucy", "alice",
    "wanjiru", "wanjiku", "kamau", "otieno", "achieng", "wambui", "mwangi", "njeri", "ochieng",
    "odhiambo", "kiprop", "chebet", "kipchoge", "wafula", "barasa", "mutua", "mueni", "akinyi",
    "atieno", "omondi", "kariuki", "njoroge", "wairimu", "nyambura", "cherono", "jepkoech",
)

SUFFIXES: tuple[str, ...] = (
    "", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "!", "!!",
    "1!", "123!", "@123", "#123", "@1234", "01", "007", "69", "99", "00", "000", "2000", "@254",
    "254", *(str(year) for year in range(2015, 2031)), *(f"@{year}" for year in range(2020, 2031)),
)

PATTERNS: tuple[str, ...] = (
    "123456789012", "1234567890123", "12345678901234", "098765432109", "111111111111",
    "000000000000", "123123123123", "121212121212", "112233445566", "987654321098", "qwertyuiop12",
    "qwertyuiop123", "qwerty123456", "qwertyqwerty", "asdfghjkl123", "1qaz2wsx3edc",
    "1qaz2wsx3edc4rfv", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u", "q1w2e3r4t5y6", "qazwsxedcrfv",
    "zaq12wsxcde3", "zaq1xsw2cde3", "1234qwerasdf", "qwerasdfzxcv", "abcdefghijkl", "abcd1234abcd",
    "abc123abc123", "aaaaaaaaaaaa", "passwordpassword", "iloveyouiloveyou", "letmeinletmein",
    "welcomewelcome", "trustno1trustno1", "correcthorsebatterystaple", "thequickbrownfox",
    "onetwothreefour", "mypasswordis", "nopassword123", "changemenow123", "newpassword123",
    "temporary1234", "password1234567",
)
# fmt: on


def _stretched(base: str) -> list[str]:
    return [base, base * 2] if len(base) <= 7 else [base]


def generate() -> list[str]:
    """Every generated common password of at least MIN_LENGTH characters, lowercase, sorted."""
    found: set[str] = {p.lower() for p in PATTERNS if len(p) >= MIN_LENGTH}
    for base, suffix in itertools.product(BASE_WORDS, SUFFIXES):
        for form in _stretched(base):
            candidate = (form + suffix).lower()
            if len(candidate) >= MIN_LENGTH:
                found.add(candidate)
    for first, second in itertools.combinations(BASE_WORDS[:30], 2):
        pair = first + second
        if len(pair) >= MIN_LENGTH:
            found.add(pair)
    return sorted(found)


if __name__ == "__main__":
    sys.stdout.write("\n".join(generate()) + "\n")
