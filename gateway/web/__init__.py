"""The portal: every HTML screen of Ponte (PORTAL.md), served by the gateway as routes of its
table. docs/portal.md says how to add a screen."""
from gateway.web import account, inbox, links  # noqa: F401  (each registers its screens)
from gateway.web import authorizations, billing  # noqa: F401
from gateway.web.screen import api

__all__ = ["api"]
