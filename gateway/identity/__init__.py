"""Identity endpoints: routes in ``routes.py``, their schemas in ``schemas.py``."""
from gateway.identity.routes import api

__all__ = ["api"]
