"""Published outputs and disclosure control."""
