"""Attendance rules as plain Python, runnable without a broker or a database: the service
catalogue and its typed forms, attendant access, the service-request workflow with its checklist,
follow-ups, meetings and rating, and appointments at providers (manuals 002 and 003)."""
