"""Structured input rounds: the same questions to every organisation, answered by link."""
