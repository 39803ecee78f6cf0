"""``ponte demo``: the all-in-one system with sample people and work from every seed manual,
created through the public HTTP API (docs/demo.md)."""
