"""The relationships service."""
