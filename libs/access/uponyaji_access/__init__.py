"""Uponyaji access: token authentication, policy-as-data authorisation and audit.

See docs/access.md for how a service wires it and what the policy file says.
"""

from uponyaji_access.access import Access
from uponyaji_access.audit import AccessRecord, AuditLog
from uponyaji_access.caseload import Caseload, StaticCaseload, SurvivorCaseload
from uponyaji_access.client_address import TrustedProxies
from uponyaji_access.denylist import DenyList, RevocationSync
from uponyaji_access.dependencies import (
    AccessDep,
    Authorize,
    CurrentPrincipal,
    authenticate,
    authorize,
    get_access,
    survivor_from_path,
)
from uponyaji_access.errors import (
    AccessError,
    AuditUnavailable,
    Forbidden,
    InvalidPurpose,
    KeysUnavailable,
    MisconfiguredRoute,
    PolicyError,
    SurvivorNotFound,
    Unauthenticated,
)
from uponyaji_access.grant import Grant
from uponyaji_access.jwks import JwksCache
from uponyaji_access.keyed_hash import AuditKey
from uponyaji_access.listing import Listed, Listing, SearchListing
from uponyaji_access.lists import ListAudit
from uponyaji_access.policy import Decision, Policy
from uponyaji_access.principal import Principal
from uponyaji_access.ratelimit import SlidingWindow, TooManyRequests
from uponyaji_access.routes import RouteAccess, install_access, route_actions
from uponyaji_access.service_tokens import SERVICE_ROLE, ServiceTokens, service_subject
from uponyaji_access.settings import AccessSettings
from uponyaji_access.tokens import TokenVerifier

__all__ = [
    "SERVICE_ROLE",
    "Access",
    "AccessDep",
    "AccessError",
    "AccessRecord",
    "AccessSettings",
    "AuditKey",
    "AuditLog",
    "AuditUnavailable",
    "Authorize",
    "Caseload",
    "CurrentPrincipal",
    "Decision",
    "DenyList",
    "Forbidden",
    "Grant",
    "InvalidPurpose",
    "JwksCache",
    "KeysUnavailable",
    "ListAudit",
    "Listed",
    "Listing",
    "MisconfiguredRoute",
    "Policy",
    "PolicyError",
    "Principal",
    "RevocationSync",
    "RouteAccess",
    "SearchListing",
    "ServiceTokens",
    "SlidingWindow",
    "StaticCaseload",
    "SurvivorCaseload",
    "SurvivorNotFound",
    "TokenVerifier",
    "TooManyRequests",
    "TrustedProxies",
    "Unauthenticated",
    "authenticate",
    "authorize",
    "get_access",
    "install_access",
    "route_actions",
    "service_subject",
    "survivor_from_path",
]
