"""Notifications endpoints: routes in ``routes.py``, their schemas in ``schemas.py``, the SSE
stream hub in ``streams.py``."""
from gateway.notifications.routes import api

__all__ = ["api"]
