"""The attendance service."""
