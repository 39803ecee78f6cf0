"""What people are told of an event (``services.notifications.domain.incoming.notices``)."""
from __future__ import annotations

from services.notifications.domain.incoming import Incoming, notices


def incoming(event_type: str, **data: object) -> Incoming:
    return Incoming(id="e-1", source="authorizations", type=event_type,
                    occurred_at="2026-12-07T12:00:00Z", data=data, correlation_id="c")


def test_a_request_authorized_at_submission_is_two_notices_of_one_event():
    event = incoming("request_submitted", status="authorized", code="K9X2-77QA")
    submitted, authorized = notices(event)
    assert submitted == event
    assert (authorized.id, authorized.source, authorized.type, authorized.occurred_at,
            authorized.correlation_id) == ("e-1", "authorizations", "request_authorized",
                                           "2026-12-07T12:00:00Z", "c")
    assert authorized.data == {"status": "authorized", "code": "K9X2-77QA",
                               "at_submission": True}
    assert authorized.notification_type == "authorizations.request_authorized"


def test_other_events_are_one_notice():
    for event in (incoming("request_submitted", status="awaiting_audit", code=None),
                  incoming("request_authorized", status="authorized", code="K9X2-77QA"),
                  Incoming("e-2", "attendance", "request_submitted", "2026-12-07T12:00:00Z",
                           {"code": "x"})):
        assert notices(event) == [event]
