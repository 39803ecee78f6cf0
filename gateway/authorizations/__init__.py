"""Authorizations endpoints: routes in ``routes.py``, their schemas in ``schemas.py``."""
from gateway.authorizations.routes import api

__all__ = ["api"]
