"""Contracts shared by the gateway and the services: the words of API.md and docs/events.md
that both sides must spell alike (statuses, outcomes, reasons, provider types, the audience of
an event). One module per service that owns them; the gateway imports these, never
``services/``."""
