"""A citizen's appointment reaches the provider side in real time, addressed by the event's
audience (logins and secretaries with ``authorizations``), with the patient's notes only for a
provider login that opted in to patients' messages; the provider cancelling tells the citizen.
Skipped until the attendance service is part of the tree."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("gateway.attendance")

from tests.e2e.notifications_helpers import EventStream, People, inbox, wait_for_item  # noqa: E402
from tests.stack import register_citizen  # noqa: E402

API = "/api/v1"


def test_an_appointment_reaches_the_provider_side_and_a_cancellation_the_citizen(
        stack, client, mail):
    people = People(client, mail)
    provider = people.provider("Clínica Agenda")
    clerk, biller = people.secretary("Clara Agenda"), people.secretary("Bento Conta")
    people.relate(provider, clerk, ["authorizations"])
    people.relate(provider, biller, ["billing"])
    opted = client.put(f"{API}/me/notification-preferences", token=provider["token"],
                       json={"patient_messages": True})
    assert opted.status_code == 200, opted.text
    citizen = register_citizen(client)
    stream = EventStream(stack.client.base_url, token=provider["token"])
    try:
        starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
        booked = client.post(f"{API}/providers/{provider['id']}/appointments",
                             token=citizen["token"],
                             json={"starts_at": starts_at.isoformat().replace("+00:00", "Z"),
                                   "notes": "Dor no dente 36 há dois dias"})
        assert booked.status_code == 201, booked.text
        appointment = booked.json()
        pushed = stream.wait_for(lambda n: n["type"] == "attendance.appointment_booked",
                                 what="the booking frame")
        assert pushed["link"] == f"/api/v1/appointments/{appointment['id']}"
        assert "Dor no dente 36" in pushed["body"]  # the provider opted in
        [seen_by_clerk] = wait_for_item(client, clerk, "attendance.appointment_booked")
        assert "Dor no dente 36" not in seen_by_clerk["body"]  # she did not
        assert not [i for i in inbox(client, biller)["items"]
                    if i["type"] == "attendance.appointment_booked"]
    finally:
        stream.close()

    cancelled = client.post(f"{API}/appointments/{appointment['id']}/cancel",
                            token=provider["token"])
    assert cancelled.status_code == 200, cancelled.text
    [told] = wait_for_item(client, citizen, "attendance.appointment_cancelled")
    assert told["title"] == "Agendamento cancelado"
    assert not [i for i in inbox(client, provider)["items"]
                if i["type"] == "attendance.appointment_cancelled"]
