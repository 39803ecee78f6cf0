"""Ponte services: one package each, owning its own database."""
