"""Ponte's shared plumbing: configuration, broker, database, outbox, events, errors, tokens,
storage, metrics and logging. Business rules live in ``services/<name>/``, never here."""
