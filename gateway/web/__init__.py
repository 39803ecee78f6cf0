"""The portal: every HTML screen of Ponte (PORTAL.md), served by the gateway as routes of its
table. docs/portal.md says how to add a screen."""
from gateway.web import (  # noqa: F401  each module registers its screens
    account,
    appointments,
    attendants,
    authorizations,
    billing,
    bulletins,
    catalogue,
    citizen_requests,
    citizen_services,
    desk,
    files,
    inbox,
    institution,
    links,
    moderation,
    network,
    profile,
    providers,
    staff,
)
from gateway.web.screen import api

__all__ = ["api"]
