"""Use cases: each takes a Session; every query lives here."""
