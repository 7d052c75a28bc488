"""Uponyaji service shape: settings base, error model, logging, probes and the app factory.

See docs/service-shape.md for how a service declares itself.
"""

from uponyaji_service.app import (
    Clock,
    Follow,
    NotRunning,
    OnPage,
    Parts,
    Running,
    Service,
    resource,
    running,
    store_rebuild,
    utc_now,
)
from uponyaji_service.direct_route import DirectRoute
from uponyaji_service.errors import (
    DomainError,
    InvalidCommand,
    NotFound,
    ServiceError,
    Unavailable,
)
from uponyaji_service.feeds import QuietFeed, feed_auth, http_feed
from uponyaji_service.keys import Keys
from uponyaji_service.logs import configure_logging, get_logger
from uponyaji_service.settings import (
    Environment,
    IntakeFollower,
    MailSettings,
    ServiceSettings,
    StageSettings,
    read_secret,
    service_config,
)

__all__ = [
    "Clock",
    "DirectRoute",
    "DomainError",
    "Environment",
    "Follow",
    "IntakeFollower",
    "InvalidCommand",
    "Keys",
    "MailSettings",
    "NotFound",
    "NotRunning",
    "OnPage",
    "Parts",
    "QuietFeed",
    "Running",
    "Service",
    "ServiceError",
    "ServiceSettings",
    "StageSettings",
    "Unavailable",
    "configure_logging",
    "feed_auth",
    "get_logger",
    "http_feed",
    "read_secret",
    "resource",
    "running",
    "service_config",
    "store_rebuild",
    "utc_now",
]
