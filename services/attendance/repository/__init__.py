"""Loading and saving the attendance service's state inside one unit of work, one module per
aggregate; :class:`Repository` is the one entry point a unit of work holds."""
from __future__ import annotations

from services.attendance.repository.appointments import Appointments
from services.attendance.repository.attachments import HeldAttachments
from services.attendance.repository.catalogue import Catalogue
from services.attendance.repository.institutions import Institutions
from services.attendance.repository.people import People
from services.attendance.repository.requests import Requests


class Repository(People, Institutions, Catalogue, Requests, Appointments, HeldAttachments):
    """Every part, on one session."""
