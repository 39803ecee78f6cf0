"""Provider↔secretary relationships, as the provider-portal manual (000) describes them.

A provider, or a secretary holding ``manage_relationships`` for it, invites a secretary with a
non-empty set of roles. The secretary accepts, for an indefinite time or until a date, or
declines. An accepted invitation becomes an ``active`` relationship whose roles the provider side
may change; either side may end it, and it expires by itself once its last day has passed in the
operator's time zone.

    invitation:   pending → accepted | declined | cancelled      (``invitations``)
    relationship: active  → ended | expired                      (``relationships``)

Who may act for a provider, by its relationships, is ``acting``. Everything in this package is
plain Python: times come in as arguments, so rules are tested without a clock.
"""
