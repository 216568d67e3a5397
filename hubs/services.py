"""Writes that matter: transitions, money, side effects (keyword-only, atomic)."""
