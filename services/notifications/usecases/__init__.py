"""What the notifications service does, testable without a broker; every use case takes a
``ponte.service_layer.Context`` whose ``settings`` hold ``public_url`` and ``time_zone``.

* ``read_models``: accounts, providers and grants as identity's and relationships' events tell;
* ``notices``: from an event to one inbox item per recipient and the e-mails preferences allow;
* ``inbox``: the inbox, read marks and a stream's replay;
* ``streams``: single-use stream tickets;
* ``preferences``: which e-mails a person receives;
* ``bulletins``: operators' bulletins to providers, and who may read their attachments;
* ``deliveries``: the e-mail deliveries operators look at and send again.

Idempotency: an event handler runs in one unit of work that also records the event as
processed; on top of that an inbox item is unique per (event id, recipient) and an e-mail per
(event id, type, address), so a redelivered event adds nothing.
"""
