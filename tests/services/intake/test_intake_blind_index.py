"""Blind indexes: normalisation of names, phones and ID numbers, and keyed digests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from uponyaji_intake.blind_index import (
    BlindIndexer,
    IndexKind,
    InvalidPhone,
    name_tokens,
    normalise_id_number,
    normalise_phone,
)

KEK = bytes(range(32))


def test_name_tokens_fold_case_accents_and_apostrophes() -> None:
    assert name_tokens("Zawádi  WANJIRŮ-Ochieng'") == ["zawadi", "wanjiru", "ochieng"]
    assert name_tokens("Test Survivor", "test  SURVIVOR Alpha") == ["test", "survivor", "alpha"]
    assert name_tokens("J. K. Mwangi") == ["mwangi"]  # initials alone would match everyone
    assert name_tokens(None, "") == []


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0712 345 678", "+254712345678"),
        ("0712-345-678", "+254712345678"),
        ("712345678", "+254712345678"),
        ("254712345678", "+254712345678"),
        ("+254 712 345 678", "+254712345678"),
        ("00254712345678", "+254712345678"),
        ("0110 123 456", "+254110123456"),
        ("+256 772 123456", "+256772123456"),
        ("020 2345678", "+254202345678"),  # a Nairobi landline
        ("+44 20 7946 0000", "+442079460000"),  # a foreign number, country given
    ],
)
def test_kenyan_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "+2547123",
        "07123456789",
        "phone",
        "+254abc",
        "0812345678",
        "+254812345678",
        "254912345678",
        "0312345678",  # no Kenyan prefix
    ],
)
def test_unusable_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


def test_id_numbers_ignore_spacing_and_case() -> None:
    assert normalise_id_number(" 12 345-678 ") == "12345678"
    assert normalise_id_number("ak/0012345") == "AK0012345"


def test_digests_are_keyed_and_separate_kinds() -> None:
    one, other = BlindIndexer.from_kek(KEK), BlindIndexer.from_kek(bytes(32))
    assert one.digest(IndexKind.NAME, "zawadi") == one.digest(IndexKind.NAME, "zawadi")
    assert one.digest(IndexKind.NAME, "zawadi") != other.digest(IndexKind.NAME, "zawadi")
    assert one.digest(IndexKind.NAME, "12345678") != one.digest(IndexKind.NATIONAL_ID, "12345678")
    assert repr(one) == "BlindIndexer()"  # the key never reaches a log line


def test_one_person_written_two_ways_shares_every_entry() -> None:
    indexer = BlindIndexer.from_kek(KEK)
    first = indexer.entries(
        names=["Zawadi Wanjiru"], phone="0712345678", id_kind="national_id", id_number="12345678"
    )
    second = indexer.entries(
        names=["WANJIRU  zawádi"],
        phone="+254 712 345 678",
        id_kind="national_id",
        id_number="12 345 678",
    )
    assert first == second
    assert {kind for kind, _ in first} == {IndexKind.NAME, IndexKind.PHONE, IndexKind.NATIONAL_ID}


@given(st.text(max_size=60))
def test_name_tokens_are_stable_under_renormalisation(name: str) -> None:
    tokens = name_tokens(name)
    assert name_tokens(" ".join(tokens)) == tokens
    assert all(len(token) >= 2 and token.isalnum() for token in tokens)
