"""The questionnaires as forms: item wording where its licence allows shipping it, and the scales.

Scoring stays in the psychosocial service; the portal only asks the questions and sends the
answers. PHQ-9 and GAD-7 are free to use and PCL-5 is public domain, so their items are shown in
full (the Kiswahili wording is in the catalog and awaits review by a clinical translator).
HSCL-25, HTQ-IV, WHO-5 and K10 are shown as numbered items with their answer scale until the
programme confirms their licences; counsellors read the items from the licensed paper form.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_


@dataclass(frozen=True)
class Instrument:
    """A questionnaire as the form shows it."""

    code: str
    title: str
    stem: str
    items: tuple[str, ...]  # wording, or "" where it is not shipped
    count: int
    scale: tuple[tuple[int, str], ...]

    def item_texts(self) -> list[str]:
        """Each item's wording ("" when it is not shipped)."""
        return list(self.items) if self.items else [""] * self.count


_FREQ4 = (
    (0, N_("Not at all")),
    (1, N_("Several days")),
    (2, N_("More than half the days")),
    (3, N_("Nearly every day")),
)
_BOTHER5 = (
    (0, N_("Not at all")),
    (1, N_("A little bit")),
    (2, N_("Moderately")),
    (3, N_("Quite a bit")),
    (4, N_("Extremely")),
)
_HSCL = ((1, N_("Not at all")), (2, N_("A little")), (3, N_("Quite a bit")), (4, N_("Extremely")))
_WHO5 = (
    (0, N_("At no time")),
    (1, N_("Some of the time")),
    (2, N_("Less than half of the time")),
    (3, N_("More than half of the time")),
    (4, N_("Most of the time")),
    (5, N_("All of the time")),
)
_K10 = (
    (1, N_("None of the time")),
    (2, N_("A little of the time")),
    (3, N_("Some of the time")),
    (4, N_("Most of the time")),
    (5, N_("All of the time")),
)

INSTRUMENTS: dict[str, Instrument] = {
    "PHQ-9": Instrument(
        "PHQ-9",
        N_("PHQ-9: depression"),
        N_(
            "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
        ),
        (
            N_("Little interest or pleasure in doing things"),
            N_("Feeling down, depressed, or hopeless"),
            N_("Trouble falling or staying asleep, or sleeping too much"),
            N_("Feeling tired or having little energy"),
            N_("Poor appetite or overeating"),
            N_(
                "Feeling bad about yourself — or that you are a failure or have let yourself or your family down"
            ),
            N_(
                "Trouble concentrating on things, such as reading the newspaper or watching television"
            ),
            N_(
                "Moving or speaking so slowly that other people could have noticed, or the opposite — being so fidgety or restless that you have been moving around a lot more than usual"
            ),
            N_("Thoughts that you would be better off dead, or of hurting yourself in some way"),
        ),
        9,
        _FREQ4,
    ),
    "GAD-7": Instrument(
        "GAD-7",
        N_("GAD-7: anxiety"),
        N_("Over the last 2 weeks, how often have you been bothered by the following problems?"),
        (
            N_("Feeling nervous, anxious, or on edge"),
            N_("Not being able to stop or control worrying"),
            N_("Worrying too much about different things"),
            N_("Trouble relaxing"),
            N_("Being so restless that it is hard to sit still"),
            N_("Becoming easily annoyed or irritable"),
            N_("Feeling afraid, as if something awful might happen"),
        ),
        7,
        _FREQ4,
    ),
    "PCL-5": Instrument(
        "PCL-5",
        N_("PCL-5: post-traumatic stress"),
        N_("In the past month, how much were you bothered by:"),
        (
            N_("Repeated, disturbing, and unwanted memories of the stressful experience?"),
            N_("Repeated, disturbing dreams of the stressful experience?"),
            N_(
                "Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were actually back there reliving it)?"
            ),
            N_("Feeling very upset when something reminded you of the stressful experience?"),
            N_(
                "Having strong physical reactions when something reminded you of the stressful experience (for example, heart pounding, trouble breathing, sweating)?"
            ),
            N_("Avoiding memories, thoughts, or feelings related to the stressful experience?"),
            N_(
                "Avoiding external reminders of the stressful experience (for example, people, places, conversations, activities, objects, or situations)?"
            ),
            N_("Trouble remembering important parts of the stressful experience?"),
            N_("Having strong negative beliefs about yourself, other people, or the world?"),
            N_(
                "Blaming yourself or someone else for the stressful experience or what happened after it?"
            ),
            N_("Having strong negative feelings such as fear, horror, anger, guilt, or shame?"),
            N_("Loss of interest in activities that you used to enjoy?"),
            N_("Feeling distant or cut off from other people?"),
            N_(
                "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving feelings for people close to you)?"
            ),
            N_("Irritable behavior, angry outbursts, or acting aggressively?"),
            N_("Taking too many risks or doing things that could cause you harm?"),
            N_("Being “superalert” or watchful or on guard?"),
            N_("Feeling jumpy or easily startled?"),
            N_("Having difficulty concentrating?"),
            N_("Trouble falling or staying asleep?"),
        ),
        20,
        _BOTHER5,
    ),
    "HSCL-25": Instrument(
        "HSCL-25",
        N_("HSCL-25: anxiety and depression"),
        N_(
            "Read each item from the licensed form; record how much it bothered the person in the past week."
        ),
        (),
        25,
        _HSCL,
    ),
    "HTQ-IV": Instrument(
        "HTQ-IV",
        N_("HTQ part IV: trauma symptoms"),
        N_(
            "Read each item from the licensed form; record how much it bothered the person in the past week."
        ),
        (),
        16,
        _HSCL,
    ),
    "WHO-5": Instrument(
        "WHO-5",
        N_("WHO-5: well-being"),
        N_(
            "Read each item from the licensed form; record how the person has felt over the last 2 weeks."
        ),
        (),
        5,
        _WHO5,
    ),
    "K10": Instrument(
        "K10",
        N_("K10: psychological distress"),
        N_(
            "Read each item from the licensed form; record how often the person felt this in the past 30 days."
        ),
        (),
        10,
        _K10,
    ),
}
