"""Web pages: the links of the e-mails open here (API.md "Web pages")."""
from gateway.pages.routes import api

__all__ = ["api"]
