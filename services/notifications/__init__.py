"""The notifications service. This first slice sends e-mail for identity events.

``domain`` (Email, attempts, backoff) and ``emails`` + ``templates`` (composing texts per locale)
are plain Python; ``models``/``repository``/``migrations`` persist e-mails and attempts;
``transports`` hands messages to SMTP or the .eml outbox; ``delivery`` runs the sending loop;
``service`` is the thin nameko face.
"""
