"""Drafts kept for staff whose session ended while they were typing."""
