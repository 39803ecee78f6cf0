"""The citizen's screens' own translations (issue 20): a booking's local day and time become
the API's UTC instant, a service's typed fields become HTML inputs, and notifications about
requests, appointments and services open their screens."""
from __future__ import annotations

from gateway.web.appointments import starts_at
from gateway.web.inbox import screen_for


def test_a_local_day_and_time_become_the_utc_instant_the_api_takes():
    assert starts_at("2026-12-10", "14:30") == "2026-12-10T17:30:00Z"  # America/Sao_Paulo
    assert starts_at(" 2026-12-10 ", "09:05 ") == "2026-12-10T12:05:00Z"


def test_a_missing_or_malformed_day_or_time_is_left_to_the_api_to_name():
    for day, hour in (("", "14:30"), ("2026-12-10", ""), ("10/12/2026", "14:30"),
                      ("2026-12-10", "25:00")):
        assert starts_at(day, hour) is None


def test_notifications_about_requests_appointments_and_services_open_their_screens():
    assert screen_for("/api/v1/service-requests/r-1") == "/my-requests/r-1"
    assert screen_for("/api/v1/appointments/a-1") == "/appointments/a-1"
    assert screen_for("/api/v1/services/s-1") == "/services/s-1"
    assert screen_for("/api/v1/services/s-1/ratings") is None
