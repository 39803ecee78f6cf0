"""Relationships endpoints: routes in ``routes.py``, their schemas in ``schemas.py``."""
from gateway.relationships.routes import api

__all__ = ["api"]
