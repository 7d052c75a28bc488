"""The start page links every page a role can use: each portal page that needs no survivor (no
path parameter) has a card, and every card leads to a page that exists."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi.routing import APIRoute
from uponyaji_portal import routes
from uponyaji_portal.routes.home import CARDS, cards_for

# Pages with no card of their own: the start and sign-in pages, a form reached from its list,
# and downloads reached from their pages.
NO_CARD = {"/", "/sign-in", "/accounts/new", "/notary/proofs", "/breaches/export.csv"}


def _pages() -> set[str]:
    """Every GET path of the portal's routers without a path parameter."""
    found: set[str] = set()
    for info in pkgutil.iter_modules(routes.__path__):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        for route in module.router.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path:
                found.add(route.path)
    return found


def test_every_page_without_a_survivor_has_a_card_and_every_card_a_page() -> None:
    pages, cards = _pages(), {card.href for card in CARDS}
    assert sorted(pages - NO_CARD - cards) == []
    assert sorted(cards - pages) == []


def test_each_role_sees_the_cards_of_its_own_pages() -> None:
    clinician = {card.href for card in cards_for(["clinician"])}
    assert {"/survivors/search", "/medical/referrals", "/verify-report", "/risk-flags"} <= clinician
    assert "/medical/appointments" in clinician
    assert "/accounts" not in clinician
    admin = {card.href for card in cards_for(["admin"])}
    assert admin == {"/accounts", "/account-changes", "/notifications"}
    officer = {card.href for card in cards_for(["empowerment_officer"])}
    assert {"/empowerment/referrals", "/trainings", "/follow-ups"} <= officer
