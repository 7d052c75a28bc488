"""Empowerment vocabularies (codes from `uponyaji_events.contracts.empowerment`), labels."""

from __future__ import annotations

from .i18n import N_

EMPOWERMENT: dict[str, dict[str, str]] = {
    "hunger_answer": {
        "never": N_("Never"),
        "rarely_or_sometimes": N_("Rarely or sometimes (1–10 times)"),
        "often": N_("Often (more than 10 times)"),
    },
    "hunger_category": {
        "little_or_none": N_("Little or no hunger"),
        "moderate": N_("Moderate hunger"),
        "severe": N_("Severe hunger"),
    },
    "income_source": {
        "casual_labour": N_("Casual labour"),
        "farming": N_("Farming"),
        "livestock": N_("Livestock"),
        "small_business": N_("Small business"),
        "formal_employment": N_("Formal employment"),
        "remittances": N_("Money from relatives"),
        "cash_transfer": N_("Cash transfer programme"),
        "pension": N_("Pension"),
        "none": N_("No income"),
        "other": N_("Other source"),
    },
    "housing": {
        "owned": N_("Own house"),
        "rented": N_("Rented"),
        "hosted_by_family": N_("Living with family"),
        "informal_settlement": N_("Informal settlement"),
        "displaced": N_("Displaced"),
        "homeless": N_("Homeless"),
    },
    "skill": {
        "farming": N_("Farming"),
        "livestock": N_("Livestock keeping"),
        "tailoring": N_("Tailoring"),
        "hairdressing": N_("Hairdressing"),
        "carpentry": N_("Carpentry"),
        "masonry": N_("Masonry"),
        "welding": N_("Welding"),
        "mechanics": N_("Mechanics"),
        "driving": N_("Driving"),
        "trading": N_("Trading"),
        "catering": N_("Catering"),
        "bookkeeping": N_("Bookkeeping"),
        "digital": N_("Computer and phone skills"),
        "other": N_("Other skill"),
    },
    "barrier": {
        "injury": N_("Injury"),
        "disability": N_("Disability"),
        "chronic_pain": N_("Chronic pain"),
        "psychological_distress": N_("Psychological distress"),
        "stigma": N_("Stigma"),
        "lost_documents": N_("Lost identity documents"),
        "lost_tools_or_assets": N_("Lost tools or assets"),
        "lost_employment": N_("Lost employment"),
        "lost_breadwinner": N_("Lost the breadwinner"),
        "displacement": N_("Displacement"),
        "other": N_("Other barrier"),
    },
    "goal_kind": {
        "business_start": N_("Start a business"),
        "business_restore": N_("Restore a business"),
        "employment": N_("Find employment"),
        "vocational_skill": N_("Learn a trade"),
        "education": N_("Education"),
        "group_savings": N_("Group savings (chama)"),
    },
    "livelihood_status": {
        "not_started": N_("Not started"),
        "in_progress": N_("In progress"),
        "achieved": N_("Achieved"),
        "not_achieved": N_("Not achieved"),
        "discontinued": N_("Discontinued"),
    },
    "grant_purpose": {
        "business_start": N_("Starting a business"),
        "business_restore": N_("Restoring a business"),
        "tools_and_equipment": N_("Tools and equipment"),
        "stock": N_("Stock"),
        "livestock": N_("Livestock"),
        "training_fees": N_("Training fees"),
        "school_fees": N_("School fees"),
        "group_savings": N_("Group savings (chama)"),
        "other": N_("Other purpose"),
    },
    "grant_status": {
        "proposed": N_("Proposed"),
        "approved": N_("Approved"),
        "declined": N_("Declined"),
    },
    "grant_decision": {"approve": N_("Approve"), "decline": N_("Decline")},
    "channel": {"mpesa": N_("M-Pesa"), "bank": N_("Bank transfer"), "in_kind": N_("In kind")},
    "employment_status": {
        "self_employed": N_("Self-employed"),
        "employed": N_("Employed"),
        "casual": N_("Casual work"),
        "unemployed": N_("Unemployed"),
        "in_training": N_("In training"),
        "unable_to_work": N_("Unable to work"),
    },
    "followup_milestone": {
        "month_3": N_("3 months"),
        "month_6": N_("6 months"),
        "month_12": N_("12 months"),
    },
}

# The Household Hunger Scale's three questions (FANTA), about the past four weeks.
HUNGER_ITEMS: tuple[str, ...] = (
    N_(
        "Was there ever no food to eat of any kind in your house because of lack of resources "
        "to get food?"
    ),
    N_(
        "Did you or any household member go to sleep at night hungry because there was not "
        "enough food?"
    ),
    N_(
        "Did you or any household member go a whole day and night without eating anything at "
        "all because there was not enough food?"
    ),
)
