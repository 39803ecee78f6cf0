"""Attendance endpoints (API.md "Attendance")."""
from gateway.attendance.routes import api

__all__ = ["api"]
