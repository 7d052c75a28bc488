"""The one table of instrument definitions: scoring rules, bands, cut-offs, risk items.

Reliable-change parameters: `r` is a published reliability; `SD` is the pre-treatment standard
deviation. Where a reliable-change criterion is in common use (PHQ-9 6 points, GAD-7 4 points,
PCL-5 15–18 points) the SD is chosen so that 1.96 × SE_diff reproduces it; elsewhere it is a
typical clinical-sample value. Replace them with the programme's own baseline SDs when known
(docs/psychosocial.md). Scoring rules are facts; item wording is not shipped (licences).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction

from .model import (
    Band,
    Cutoff,
    DiagnosticRule,
    Direction,
    Instrument,
    Method,
    Op,
    ReliableChange,
    RiskItem,
    Subscale,
)

# PCL-5 probable PTSD: published cut-offs run 31–33; the service's setting picks one.
PCL5_CUTOFF_DEFAULT = 33
PCL5_CUTOFF_RANGE = range(31, 34)

F = Fraction  # the table's many exact numbers
WORSE, BETTER = Direction.HIGHER_IS_WORSE, Direction.HIGHER_IS_BETTER
KROENKE = "Kroenke, Spitzer & Williams 2001"
SPITZER = "Spitzer, Kroenke, Williams & Löwe 2006"
IAPT = "NHS Talking Therapies (IAPT) reliable-change criterion"


class UnknownInstrument(ValueError):
    """The instrument code is not one the service scores."""


def _phq9() -> Instrument:
    return Instrument(
        code="PHQ-9",
        title="Patient Health Questionnaire (depression)",
        items=9,
        item_min=0,
        item_max=3,
        method=Method.SUM,
        direction=WORSE,
        bands=(
            Band("minimal", F(0)),
            Band("mild", F(5)),
            Band("moderate", F(10)),
            Band("moderately_severe", F(15)),
            Band("severe", F(20)),
        ),
        caseness=Cutoff("probable_major_depression", Op.AT_LEAST, F(10), KROENKE),
        risk_items=(RiskItem(9, "self_harm_risk", "phq9_item9"),),
        reliable_change=ReliableChange(
            F("5.3"),
            F("0.84"),
            f"r: 48-hour test–retest, {KROENKE}; SD set so that 1.96 × SE_diff = 5.9 points, "
            f"reproducing the 6-point {IAPT}",
        ),
        meaningful_change=F(6),
        meaningful_source=f"a drop of 6 points ({IAPT})",
    )


def _gad7() -> Instrument:
    return Instrument(
        code="GAD-7",
        title="Generalised Anxiety Disorder scale",
        items=7,
        item_min=0,
        item_max=3,
        method=Method.SUM,
        direction=WORSE,
        bands=(
            Band("minimal", F(0)),
            Band("mild", F(5)),
            Band("moderate", F(10)),
            Band("severe", F(15)),
        ),
        caseness=Cutoff("refer_for_evaluation", Op.AT_LEAST, F(10), SPITZER),
        reliable_change=ReliableChange(
            F("3.3"),
            F("0.83"),
            f"r: test–retest intraclass correlation, {SPITZER}; SD set so that 1.96 × SE_diff = "
            f"3.8 points, reproducing the 4-point {IAPT}",
        ),
        meaningful_change=F(4),
        meaningful_source=f"a drop of 4 points ({IAPT})",
    )


def _pcl5(cutoff: int) -> Instrument:
    clusters = (
        Subscale("B", (1, 2, 3, 4, 5), Method.SUM),
        Subscale("C", (6, 7), Method.SUM),
        Subscale("D", (8, 9, 10, 11, 12, 13, 14), Method.SUM),
        Subscale("E", (15, 16, 17, 18, 19, 20), Method.SUM),
    )
    source = f"PCL-5 total ≥ {cutoff} (published cut-offs 31–33; National Center for PTSD)"
    return Instrument(
        code="PCL-5",
        title="PTSD Checklist for DSM-5",
        items=20,
        item_min=0,
        item_max=4,
        method=Method.SUM,
        direction=WORSE,
        bands=(Band("below_threshold", F(0)), Band("probable_ptsd", F(cutoff))),
        caseness=Cutoff("probable_ptsd", Op.AT_LEAST, F(cutoff), source),
        subscales=clusters,
        diagnostic=DiagnosticRule(
            "provisional_ptsd_diagnosis",
            2,
            (("B", 1), ("C", 1), ("D", 2), ("E", 2)),
            "DSM-5 symptom rule: items rated ≥ 2 count as endorsed (Weathers et al. 2013)",
        ),
        reliable_change=ReliableChange(
            F(14),
            F("0.82"),
            "r: test–retest, Blevins et al. 2015; SD 14 gives 1.96 × SE_diff = 16.5 points, "
            "within the published reliable-change estimates of 15–18",
        ),
        meaningful_change=F(10),
        meaningful_source="10 points (clinically meaningful, NCPTSD)",
    )


def _hscl25() -> Instrument:
    source = "mean ≥ 1.75: significant distress (Mollica et al. 1987; refugee validations)"
    return Instrument(
        code="HSCL-25",
        title="Hopkins Symptom Checklist-25 (anxiety and depression)",
        items=25,
        item_min=1,
        item_max=4,
        method=Method.MEAN,
        direction=WORSE,
        bands=(Band("below_threshold", F(1)), Band("significant_distress", F("1.75"))),
        caseness=Cutoff("significant_distress", Op.AT_LEAST, F("1.75"), source),
        cutoffs=(Cutoff("significant_depression", Op.AT_LEAST, F("1.75"), source, "depression"),),
        subscales=(
            Subscale("anxiety", tuple(range(1, 11)), Method.MEAN),
            Subscale("depression", tuple(range(11, 26)), Method.MEAN),
        ),
        # Item 20 of the Harvard ordering (depression items 11–25): thoughts of ending one's
        # life. Rated 1 "not at all" to 4, so "a little" (2) or more is the signal.
        risk_items=(RiskItem(20, "self_harm_risk", "hscl25_item20", above=1),),
        reliable_change=ReliableChange(
            F("0.55"),
            F("0.90"),
            "r: internal consistency (α ≥ 0.90 in refugee samples); SD 0.55: typical "
            "clinical-sample SD of the mean score",
        ),
    )


def _htq4() -> Instrument:
    source = "mean ≥ 2.5: probable PTSD (Mollica et al. 1992; validated in torture survivors)"
    return Instrument(
        code="HTQ-IV",
        title="Harvard Trauma Questionnaire part IV (16 DSM trauma symptoms)",
        items=16,
        item_min=1,
        item_max=4,
        method=Method.MEAN,
        direction=WORSE,
        bands=(Band("below_threshold", F(1)), Band("probable_ptsd", F("2.5"))),
        caseness=Cutoff("probable_ptsd", Op.AT_LEAST, F("2.5"), source),
        reliable_change=ReliableChange(
            F("0.55"),
            F("0.92"),
            "r: test–retest, Mollica et al. 1992; SD 0.55: typical clinical-sample SD of the "
            "mean score",
        ),
    )


def _who5() -> Instrument:
    source = "WHO-5 percentage < 50: poor well-being, screen for depression (Topp et al. 2015)"
    return Instrument(
        code="WHO-5",
        title="WHO-5 Well-Being Index",
        items=5,
        item_min=0,
        item_max=5,
        method=Method.SUM,
        direction=BETTER,
        percent_factor=4,
        # Percentages are multiples of 4, so "≤ 28" and "from 29" meet without a gap.
        bands=(
            Band("likely_depression", F(0)),
            Band("poor_wellbeing", F(29)),
            Band("adequate_wellbeing", F(50)),
        ),
        caseness=Cutoff("poor_wellbeing", Op.BELOW, F(50), source),
        cutoffs=(
            Cutoff(
                "likely_depression",
                Op.AT_MOST,
                F(28),
                "WHO-5 percentage ≤ 28: likely depression (Topp et al. 2015)",
            ),
        ),
        reliable_change=ReliableChange(
            F(22),
            F("0.83"),
            "r: test–retest in the range reviewed by Topp et al. 2015; SD 22 percentage "
            "points: typical clinical-sample SD (placeholder pending local data)",
        ),
        meaningful_change=F(10),
        meaningful_source="a rise of 10 percentage points (Topp et al. 2015)",
    )


def _k10() -> Instrument:
    return Instrument(
        code="K10",
        title="Kessler Psychological Distress Scale",
        items=10,
        item_min=1,
        item_max=5,
        method=Method.SUM,
        direction=WORSE,
        bands=(
            Band("low", F(10)),
            Band("moderate", F(16)),
            Band("high", F(22)),
            Band("very_high", F(30)),
        ),
        caseness=Cutoff(
            "high_distress",
            Op.AT_LEAST,
            F(22),
            "K10 ≥ 22: high or very high distress (population reporting bands)",
        ),
        reliable_change=ReliableChange(
            F("7.5"),
            F("0.90"),
            "r: below the internal consistency α = 0.93 of Kessler et al. 2002; SD 7.5: "
            "typical clinical-sample SD",
        ),
    )


class Instruments(Mapping[str, Instrument]):
    """The instrument table by code: PHQ-9, GAD-7, PCL-5, HSCL-25, HTQ-IV, WHO-5, K10."""

    def __init__(self, pcl5_cutoff: int = PCL5_CUTOFF_DEFAULT) -> None:
        if pcl5_cutoff not in PCL5_CUTOFF_RANGE:
            raise ValueError(f"the PCL-5 cut-off must be 31–33 (published range): {pcl5_cutoff}")
        table = (_phq9(), _gad7(), _pcl5(pcl5_cutoff), _hscl25(), _htq4(), _who5(), _k10())
        self._by_code = {instrument.code: instrument for instrument in table}

    def __getitem__(self, code: str) -> Instrument:
        try:
            return self._by_code[code]
        except KeyError:
            known = ", ".join(self._by_code)
            raise UnknownInstrument(f"unknown instrument {code!r}: use one of {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)


CODES = tuple(Instruments())
