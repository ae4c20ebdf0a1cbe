"""Integrations of regcore with web frameworks (optional extras)."""
