"""What the authorizations service does, testable without a broker: each use case receives a
``ponte.service_layer.Context`` and the caller as the gateway sent it, opens one unit of work,
applies the domain, records the events ``events.py`` builds, and answers plain dicts."""
