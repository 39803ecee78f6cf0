"""What the attendance service does, step by step: load, apply the domain rules, save, record
events, answer a view — one module per part (catalogue, access, requests, ratings, agenda,
appointments, attachments, people), each use case given a ``ponte.service_layer.Context``.
``who`` holds the rules of who is who here, from this service's own data: an institution's
*managers* are designated by the admin (who may also act as any institution's manager); its
*attendants* are the servants whose attendant request a manager approved. Staff unrelated to an
institution are refused (403) on the institution's paths and told that its requests do not exist
(404)."""
