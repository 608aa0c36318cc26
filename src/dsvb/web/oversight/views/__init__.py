"""The cycle's views, one module per part of the cycle."""
