"""nameko face of the attendance service."""
from ponte.service import BaseService


class AttendanceService(BaseService):
    name = "attendance"
