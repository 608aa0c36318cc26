"""Addresses of the cycle after a session (minutes, actions, findings, letters, follow-ups,
recommendations, the annual report)."""

urlpatterns: list = []
