"""Scoring: every worked example of INSTRUMENTS.md, properties over all instruments, bad input."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from uponyaji_psychosocial.instruments import (
    CODES,
    Classification,
    Direction,
    Instrument,
    Instruments,
    InvalidResponses,
    UnknownInstrument,
    compare,
    score,
    shown,
)

TABLE = Instruments()


@pytest.mark.parametrize(
    ("code", "responses", "total", "band", "flagged"),
    [
        ("PHQ-9", [0] * 9, 0, "minimal", False),
        ("PHQ-9", [3] * 9, 27, "severe", True),
        ("PHQ-9", [3, 0, 1, 2, 0, 0, 1, 0, 3], 10, "moderate", True),
    ],
)
def test_phq9_worked_examples(
    code: str, responses: list[int], total: int, band: str, flagged: bool
) -> None:
    result = score(TABLE[code], responses)
    assert (result.total, result.band) == (total, band)
    assert ("self_harm_risk" in result.flags) is flagged
    assert bool(result.risk) is flagged


def test_phq9_item9_flag_names_the_item_and_response() -> None:
    result = score(TABLE["PHQ-9"], [3, 0, 1, 2, 0, 0, 1, 0, 3])
    assert result.risk == (("phq9_item9", 9, 3),)
    assert "probable_major_depression" in result.flags  # ≥ 10


def test_phq9_item9_raises_a_flag_whatever_the_total() -> None:
    result = score(TABLE["PHQ-9"], [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (result.total, result.band) == (1, "minimal")
    assert result.risk == (("phq9_item9", 9, 1),)


@pytest.mark.parametrize(("item20", "flagged"), [(1, False), (2, True), (3, True), (4, True)])
def test_hscl25_item20_flags_from_a_little_upwards(item20: int, flagged: bool) -> None:
    # Rated 1 "not at all" to 4: the floor is no signal, "a little" (2) already is.
    responses = [1] * 25
    responses[19] = item20
    result = score(TABLE["HSCL-25"], responses)
    assert result.band == "below_threshold"
    assert result.risk == ((("hscl25_item20", 20, item20),) if flagged else ())
    assert ("self_harm_risk" in result.flags) is flagged


def test_hscl25_other_items_at_maximum_raise_no_risk_flag() -> None:
    responses = [4] * 25
    responses[19] = 1
    result = score(TABLE["HSCL-25"], responses)
    assert result.risk == ()
    assert "significant_distress" in result.flags


def test_gad7_worked_example() -> None:
    result = score(TABLE["GAD-7"], [3, 0, 1, 2, 0, 0, 1])
    assert (result.total, result.band) == (7, "mild")
    assert "refer_for_evaluation" not in result.flags


def test_pcl5_worked_example() -> None:
    result = score(TABLE["PCL-5"], [2] * 20)
    assert result.total == 40
    assert result.subscales == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert result.band == "probable_ptsd"
    assert {"probable_ptsd", "provisional_ptsd_diagnosis"} <= set(result.flags)


def test_pcl5_provisional_diagnosis_needs_every_cluster() -> None:
    # B 1 item, C 1, D 2, E 2 endorsed (≥ 2): met; remove E's second and it is not.
    met = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    assert "provisional_ptsd_diagnosis" in score(TABLE["PCL-5"], met).flags
    unmet = [*met[:15], 1, *met[16:]]
    assert "provisional_ptsd_diagnosis" not in score(TABLE["PCL-5"], unmet).flags


def test_pcl5_cutoff_is_configurable_within_the_published_range() -> None:
    responses = [2] * 16 + [0] * 4  # 32
    assert score(Instruments(pcl5_cutoff=33)["PCL-5"], responses).band == "below_threshold"
    assert score(Instruments(pcl5_cutoff=31)["PCL-5"], responses).band == "probable_ptsd"
    with pytest.raises(ValueError, match="31–33"):
        Instruments(pcl5_cutoff=30)


def test_who5_worked_examples() -> None:
    poor = score(TABLE["WHO-5"], [4, 1, 0, 2, 3])
    assert (poor.total, poor.percentage, poor.band) == (10, 40, "poor_wellbeing")
    assert "poor_wellbeing" in poor.flags
    assert "likely_depression" not in poor.flags
    fine = score(TABLE["WHO-5"], [3, 3, 3, 3, 3])
    assert (fine.total, fine.percentage) == (15, 60)
    assert fine.flags == ()


def test_who5_at_most_28_percent_is_likely_depression() -> None:
    assert "likely_depression" in score(TABLE["WHO-5"], [2, 2, 2, 1, 0]).flags  # 7 → 28 %
    assert "likely_depression" not in score(TABLE["WHO-5"], [2, 2, 2, 2, 0]).flags  # 32 %


def test_k10_worked_example() -> None:
    result = score(TABLE["K10"], [3] * 10)
    assert (result.total, result.band) == (30, "very_high")


def test_hscl25_means_and_subscales() -> None:
    responses = [2] * 10 + [1] * 15
    result = score(TABLE["HSCL-25"], responses)
    assert result.total == Fraction(35, 25)
    assert result.subscales == {"anxiety": 2, "depression": 1}
    assert result.band == "below_threshold"
    depressed = score(TABLE["HSCL-25"], [1] * 10 + [2] * 15)  # total 1.6, depression 2
    assert (shown(depressed.total), depressed.band) == (1.6, "below_threshold")
    # item 20 at 2 ("a little"): thoughts of ending one's life are a risk signal as well
    assert depressed.flags == ("significant_depression", "self_harm_risk")
    distressed = score(TABLE["HSCL-25"], [2] * 25)
    assert distressed.flags == ("significant_distress", "significant_depression", "self_harm_risk")


def test_htq_probable_ptsd_at_2_5() -> None:
    assert score(TABLE["HTQ-IV"], [3] * 8 + [2] * 8).band == "probable_ptsd"  # 2.5
    below = score(TABLE["HTQ-IV"], [3] * 7 + [2] * 9)
    assert (shown(below.total), below.band) == (2.4375, "below_threshold")


# -- malformed responses --------------------------------------------------------------------


def test_wrong_length_names_instrument_and_counts() -> None:
    with pytest.raises(InvalidResponses, match="PHQ-9 has 9 items: got 8 responses"):
        score(TABLE["PHQ-9"], [0] * 8)


def test_out_of_range_names_the_item_and_range() -> None:
    with pytest.raises(InvalidResponses, match=r"GAD-7 items take whole numbers 0–3: item 3 is 4"):
        score(TABLE["GAD-7"], [0, 0, 4, 0, 0, 0, 0])
    with pytest.raises(InvalidResponses, match="item 1 is 0"):
        score(TABLE["K10"], [0] + [1] * 9)


def test_non_integers_are_refused() -> None:
    with pytest.raises(InvalidResponses, match="item 2 is not a whole number"):
        score(TABLE["GAD-7"], [0, True, 0, 0, 0, 0, 0])
    with pytest.raises(InvalidResponses, match="item 1 is not a whole number"):
        score(TABLE["GAD-7"], [1.0, 0, 0, 0, 0, 0, 0])


def test_unknown_instrument_lists_the_known_ones() -> None:
    with pytest.raises(UnknownInstrument, match="unknown instrument 'PHQ-8': use one of PHQ-9"):
        TABLE["PHQ-8"]


# -- properties over every instrument -------------------------------------------------------


@st.composite
def administrations(draw: st.DrawFn) -> tuple[Instrument, list[int]]:
    instrument = TABLE[draw(st.sampled_from(CODES))]
    item = st.integers(instrument.item_min, instrument.item_max)
    return instrument, draw(st.lists(item, min_size=instrument.items, max_size=instrument.items))


@given(administrations())
def test_scores_stay_within_range(case: tuple[Instrument, list[int]]) -> None:
    instrument, responses = case
    result = score(instrument, responses)
    assert instrument.min_total <= result.total <= instrument.max_total
    assert instrument.min_score <= result.score <= instrument.max_score
    for subscale in instrument.subscales:
        low, high = instrument.item_min, instrument.item_max
        n = len(subscale.items) if subscale.method == "sum" else 1
        assert low * n <= result.subscales[subscale.name] <= high * n


@pytest.mark.parametrize("code", CODES)
def test_bands_cover_the_range_without_gaps_or_overlaps(code: str) -> None:
    instrument = TABLE[code]
    lows = [band.low for band in instrument.bands]
    assert lows[0] == instrument.min_score
    assert lows == sorted(set(lows)), "bands must start strictly ascending"
    assert lows[-1] <= instrument.max_score
    # Every achievable score is in exactly one band, [low, next low) or the last [low, max].
    bounds = [*lows[1:], None]
    for raw in range(
        instrument.item_min * instrument.items, instrument.item_max * instrument.items + 1
    ):
        total = Fraction(raw, 1 if instrument.method == "sum" else instrument.items)
        value = instrument.headline(total)
        holding = [
            band.label
            for band, high in zip(instrument.bands, bounds, strict=True)
            if band.low <= value and (high is None or value < high)
        ]
        assert len(holding) == 1, f"{code} {value}: {holding}"
        assert instrument.band(value).label == holding[0]


@given(administrations(), st.data())
def test_a_higher_response_never_lowers_a_higher_is_worse_total(
    case: tuple[Instrument, list[int]], data: st.DataObject
) -> None:
    instrument, responses = case
    index = data.draw(st.integers(0, instrument.items - 1))
    if responses[index] == instrument.item_max:
        return
    raised = [*responses]
    raised[index] += 1
    before, after = score(instrument, responses), score(instrument, raised)
    if instrument.direction is Direction.HIGHER_IS_WORSE:
        assert after.total > before.total
        assert after.score >= before.score
        order = [band.label for band in instrument.bands]
        assert order.index(after.band) >= order.index(before.band)
        assert before.case <= after.case
    else:
        assert after.score > before.score


@given(administrations())
def test_wrong_lengths_are_always_refused(case: tuple[Instrument, list[int]]) -> None:
    instrument, responses = case
    with pytest.raises(InvalidResponses, match=f"{instrument.code} has {instrument.items} items"):
        score(instrument, responses[:-1])
    with pytest.raises(InvalidResponses):
        score(instrument, [*responses, instrument.item_min])


# -- reliable change ------------------------------------------------------------------------


def test_rci_formula() -> None:
    phq9 = TABLE["PHQ-9"]
    se = 5.3 * 2**0.5 * (1 - 0.84) ** 0.5
    result = compare(phq9, Fraction(20), Fraction(14))
    assert result.rci == pytest.approx(-6 / se)
    assert result.change == -6
    assert result.improvement == 6


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "expected"),
    [
        ("PHQ-9", 20, 14, Classification.RELIABLE_IMPROVEMENT),  # 6 points, still ≥ 10
        ("PHQ-9", 15, 9, Classification.RELIABLE_RECOVERY),  # below 10 now
        ("PHQ-9", 15, 10, Classification.NO_RELIABLE_CHANGE),  # 5 points
        ("PHQ-9", 8, 14, Classification.DETERIORATION),
        ("GAD-7", 12, 8, Classification.RELIABLE_RECOVERY),  # 4 points
        ("GAD-7", 12, 9, Classification.NO_RELIABLE_CHANGE),
        ("PCL-5", 50, 40, Classification.NO_RELIABLE_CHANGE),  # meaningful, not reliable
        ("PCL-5", 50, 30, Classification.RELIABLE_RECOVERY),
        ("WHO-5", 28, 60, Classification.RELIABLE_RECOVERY),  # higher is better
        ("WHO-5", 60, 28, Classification.DETERIORATION),
        ("WHO-5", 40, 48, Classification.NO_RELIABLE_CHANGE),
        ("K10", 30, 22, Classification.RELIABLE_IMPROVEMENT),
    ],
)
def test_classification(code: str, baseline: int, latest: int, expected: str) -> None:
    assert compare(TABLE[code], Fraction(baseline), Fraction(latest)).classification == expected


def test_meaningful_change_is_reported_beside_reliability() -> None:
    pcl = compare(TABLE["PCL-5"], Fraction(50), Fraction(40))
    assert (pcl.reliable, pcl.meaningful_improvement) == (False, True)
    who = compare(TABLE["WHO-5"], Fraction(40), Fraction(52))
    assert who.meaningful_improvement is True
    assert who.improvement == 12
    assert compare(TABLE["K10"], Fraction(30), Fraction(22)).meaningful_improvement is None


@given(administrations(), administrations())
def test_deterioration_and_improvement_mirror(
    first: tuple[Instrument, list[int]], second: tuple[Instrument, list[int]]
) -> None:
    instrument = first[0]
    if second[0] is not instrument:
        return
    a, b = score(instrument, first[1]).score, score(instrument, second[1]).score
    forward, backward = compare(instrument, a, b), compare(instrument, b, a)
    assert forward.reliable == backward.reliable
    if forward.classification == Classification.DETERIORATION:
        assert backward.classification in (
            Classification.RELIABLE_IMPROVEMENT,
            Classification.RELIABLE_RECOVERY,
        )
