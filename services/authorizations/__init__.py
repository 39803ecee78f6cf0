"""The authorizations service."""
