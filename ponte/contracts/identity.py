PROVIDER_TYPES = ("clinic", "cooperative", "supplier", "hospital", "laboratory", "dentist")
