"""nameko face of the authorizations service."""
from ponte.service import BaseService


class AuthorizationsService(BaseService):
    name = "authorizations"
