"""Pytest plugin: a local Stripe fake (localstripe, extended) for the real `stripe` client.

Filled in by the payments work; loaded from tests/conftest.py through `pytest_plugins`."""
