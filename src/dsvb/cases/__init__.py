"""Partnership cases: DASH, MARAC, information sharing, Victims' Code deadlines."""
