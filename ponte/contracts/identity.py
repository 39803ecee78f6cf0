"""Words of identity that the gateway and the services share."""
from __future__ import annotations

PROVIDER_TYPES: tuple[str, ...] = ("clinic", "cooperative", "supplier", "hospital", "laboratory",
                                   "dentist")
