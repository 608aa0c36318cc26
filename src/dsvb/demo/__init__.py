"""Synthetic demo data calibrated to the published London figures."""
