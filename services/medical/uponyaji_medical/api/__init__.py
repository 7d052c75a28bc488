"""Medical's HTTP routes: parse, authorise (libs/access), call a handler or query, shape."""

from .care import router as care_router
from .evidence import router as evidence_router
from .record import router as record_router
from .reports import router as reports_router

routers = [record_router, care_router, reports_router, evidence_router]

__all__ = ["routers"]
